// The graph-agent image builds offline (FROM scratch + host runtime), is cached by a
// content hash, and is rebuilt when the agent's compiled code changes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/core/errors.js';
import { docker } from '../../src/docker/engine.js';
import { ensureGraphAgentImage, graphAgentImageTag } from '../../src/targets/graph-agent/image.js';

const tmpDirs: string[] = [];
const stubTags = new Set<string>();

async function stubAgent(body: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-stub-agent-'));
  tmpDirs.push(dir);
  await writeFile(path.join(dir, 'main.js'), body);
  return dir;
}

afterAll(async () => {
  for (const t of stubTags)
    await docker()
      .getImage(t)
      .remove({ force: true })
      .catch(() => {});
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe('graph-agent image', () => {
  it('builds the real agent offline, labelled, and reuses it on the second call', async () => {
    const first = await ensureGraphAgentImage();
    expect(first.tag).toMatch(/^drill\/graph-agent:[0-9a-f]{16}$/);
    const second = await ensureGraphAgentImage();
    expect(second).toMatchObject({ tag: first.tag, built: false });
    expect(second.ms).toBeLessThan(1000);
    const info = await docker().getImage(first.tag).inspect();
    expect(info.Config.Labels?.['drill.managed']).toBe('true');
    expect(info.Config.Entrypoint).toEqual(['/usr/bin/node', '/app/dist/agent/main.js']);
  });

  it('rebuilds when the agent code changes, and the image runs the host node with DNS and faketime', async () => {
    const nonce = randomBytes(4).toString('hex');
    const src = `import dns from 'node:dns/promises';
import { existsSync } from 'node:fs';
const a = await dns.lookup('localhost').catch((e) => ({ address: String(e) }));
const faketime = existsSync('/usr/lib/faketime/libfaketimeMT.so.1');
console.log(JSON.stringify({ v: process.version, nonce: '${nonce}', localhost: a.address, faketime }));
`;
    const dir = await stubAgent(src);
    // The drill shows a build as its own phase: told when it starts and when it is done.
    const told: string[] = [];
    const onBuild = (e: { phase: string; tag: string }) => told.push(`${e.phase} ${e.tag}`);
    const a = await ensureGraphAgentImage({ agentDir: dir, onBuild });
    stubTags.add(a.tag);
    expect(a.built).toBe(true);
    expect(told).toEqual([`start ${a.tag}`, `done ${a.tag}`]);
    console.log(`stub image build: ${a.ms.toFixed(0)} ms`);
    expect((await ensureGraphAgentImage({ agentDir: dir, onBuild })).built).toBe(false);
    expect(told).toHaveLength(2);

    // Run it once (unlabelled helper-free check: removed right after).
    const d = docker();
    const c = await d.createContainer({
      Image: a.tag,
      Labels: { 'drill.managed': 'true', 'drill.run': `img-${nonce}`, 'drill.role': 'helper' },
    });
    try {
      await c.start();
      const res = (await c.wait()) as { StatusCode: number };
      const logs = (await c.logs({ stdout: true, stderr: true, follow: false })).toString('utf8');
      expect(res.StatusCode, logs).toBe(0);
      const line = logs.slice(logs.indexOf('{'));
      const out = JSON.parse(line.trim()) as Record<string, unknown>;
      expect(out).toMatchObject({ v: process.version, nonce, localhost: '127.0.0.1' });
      expect(out['faketime']).toBe(a.faketime);
    } finally {
      await c.remove({ force: true });
    }

    await writeFile(path.join(dir, 'main.js'), src + '// changed\n');
    const b = await ensureGraphAgentImage({ agentDir: dir });
    stubTags.add(b.tag);
    expect(b.tag).not.toBe(a.tag);
    expect(b.built).toBe(true);
  });

  it('fails with an InfraError naming the step when the compiled agent is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'drill-empty-'));
    tmpDirs.push(dir);
    const err = await graphAgentImageTag(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).message).toMatch(/collect agent/);
    expect((err as InfraError).hint).toMatch(/npm run build/);
    await expect(ensureGraphAgentImage({ agentDir: dir })).rejects.toBeInstanceOf(InfraError);
  });
});
