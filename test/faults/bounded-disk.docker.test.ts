// A size-bounded volume (disk-full) behaves like any empty named volume on first use: Docker
// copies the image's mount point into it, ownership included, so a node that runs as another
// user than root (PostgreSQL as postgres) can write its data directory. mkfs leaves
// lost+found at the root, which made the volume look non-empty and kept it root-owned.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { removeRunResources } from '../../src/docker/cleanup.js';
import { docker } from '../../src/docker/engine.js';
import { drillLabels } from '../../src/docker/labels.js';
import { BoundedDisks, deviceVolumeOpts } from '../../src/faults/bounded-disk.js';
import { removeRunState } from '../../src/faults/host-state.js';
import { ensureGraphAgentImage } from '../../src/targets/graph-agent/image.js';

const runId = `t-disk-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const tag = `drill-test-owned-data:${runId}`;
const ctx = mkdtempSync(join(tmpdir(), 'drill-owned-'));

afterAll(async () => {
  await removeRunResources(runId);
  const state = await removeRunState(runId);
  expect(state.errors).toEqual([]);
  await execa('docker', ['rmi', '-f', tag], { reject: false });
  rmSync(ctx, { recursive: true, force: true });
});

describe('bounded volumes', () => {
  it('take the ownership of the image mount point, so a non-root node can write to its data directory', async () => {
    const base = (await ensureGraphAgentImage()).tag;
    // /data itself owned by 1000 (COPY of a directory's contents would leave /data root's).
    mkdirSync(join(ctx, 'owned', 'data'), { recursive: true });
    writeFileSync(join(ctx, 'owned', 'data', 'seed'), 'from the image\n');
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${base}\nCOPY --chown=1000:1000 owned/ /\n`);
    const b = await execa('docker', ['build', '-q', '-t', tag, ctx], { reject: false });
    expect(b.exitCode, b.stderr).toBe(0);

    const device = await new BoundedDisks(runId, 16).device('n1');
    const volume = `drill-${runId}-n1`;
    await docker().createVolume({
      Name: volume,
      Labels: drillLabels({ runId, role: 'volume' }),
      ...deviceVolumeOpts(device),
    });
    const c = await docker().createContainer({
      Image: tag,
      User: '1000:1000',
      Entrypoint: ['/usr/bin/node', '-e'],
      Cmd: [
        "const fs=require('fs');fs.writeFileSync('/data/written','ok');const s=fs.statSync('/data');" +
          "const seed=fs.readFileSync('/data/seed','utf8');" +
          "console.log(JSON.stringify({uid:s.uid,seed,ls:fs.readdirSync('/data')}))",
      ],
      Labels: drillLabels({ runId, role: 'node', node: 'n1' }),
      HostConfig: { Mounts: [{ Type: 'volume', Source: volume, Target: '/data' }] },
    });
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const logs = String(await c.logs({ stdout: true, stderr: true }));
    expect(StatusCode, logs).toBe(0);
    const out = JSON.parse(logs.slice(logs.indexOf('{'))) as { uid: number; seed: string; ls: string[] };
    expect(out.uid).toBe(1000);
    expect(out.seed).toBe('from the image\n');
    expect(out.ls.sort()).toEqual(['seed', 'written']);
  });
});
