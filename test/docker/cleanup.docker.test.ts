// removeRunResources removes exactly the resources labelled for a run and nothing else.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { listDrillResources, removeRunResources } from '../../src/docker/cleanup.js';
import { assertDockerAvailable, docker } from '../../src/docker/engine.js';
import { drillLabels } from '../../src/docker/labels.js';
import { ensureGraphAgentImage } from '../../src/targets/graph-agent/image.js';
import { bin } from '../support/drill-cli.js';

const nonce = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const runId = `t-cleanup-${nonce}`;
const otherRun = `t-cleanup-other-${nonce}`;
const unlabelledName = `unlabelled-${nonce}`;

afterAll(async () => {
  await docker()
    .getContainer(unlabelledName)
    .remove({ force: true })
    .catch(() => {});
  await removeRunResources(runId);
  await removeRunResources(otherRun);
  const left = await listDrillResources(runId);
  expect(left.containers.length + left.networks.length + left.volumes.length).toBe(0);
});

const sleeper = (image: string, name: string, labels?: Record<string, string>) =>
  docker().createContainer({
    name,
    Image: image,
    Entrypoint: ['/usr/bin/node', '-e', 'setTimeout(() => {}, 1e6)'],
    ...(labels ? { Labels: labels } : {}),
  });

describe('cleanup', () => {
  it('assertDockerAvailable passes against the running engine', async () => {
    await assertDockerAvailable();
  });

  it('removes only resources labelled for the run, never unlabelled ones', async () => {
    const { tag } = await ensureGraphAgentImage();
    const d = docker();
    const labels = drillLabels({ runId, role: 'helper', kind: 'graph-agent' });
    await d.createNetwork({ Name: `drill-${runId}`, Labels: labels });
    await d.createVolume({ Name: `drill-${runId}-v`, Labels: labels });
    const ours = await sleeper(tag, `drill-${runId}-c`, labels);
    await ours.start();
    const other = await sleeper(tag, `drill-${otherRun}-c`, drillLabels({ runId: otherRun, role: 'sut' }));
    const unlabelled = await sleeper(tag, unlabelledName);
    await unlabelled.start();

    const listed = await listDrillResources(runId);
    expect(listed.containers.map((c) => c.name)).toEqual([`drill-${runId}-c`]);
    expect(listed.containers[0]).toMatchObject({ runId, role: 'helper', state: 'running' });
    expect(listed.networks.map((n) => n.name)).toEqual([`drill-${runId}`]);
    expect(listed.volumes.map((v) => v.name)).toEqual([`drill-${runId}-v`]);

    const removed = await removeRunResources(runId);
    expect(removed).toEqual({ containers: 1, networks: 1, volumes: 1, errors: [] });
    expect(await listDrillResources(runId)).toEqual({ containers: [], networks: [], volumes: [] });

    // The unlabelled container and the other run's container are untouched.
    expect((await unlabelled.inspect()).State.Running).toBe(true);
    expect((await other.inspect()).Id).toBe(other.id);
    // Idempotent.
    expect(await removeRunResources(runId)).toEqual({ containers: 0, networks: 0, volumes: 0, errors: [] });

    expect((await removeRunResources(otherRun)).containers).toBe(1);
    await unlabelled.remove({ force: true });
  });
});

describe('cleanup --images', () => {
  const repo = `drill-test-prune-${nonce}`;
  const build = (tag: string, labelled: boolean) =>
    execa(
      'docker',
      ['build', '-q', '-t', `${repo}:${tag}`, ...(labelled ? ['--label', 'drill.managed=true'] : []), '-'],
      {
        input: `FROM scratch\nLABEL content=${tag}-${nonce}\n`,
      },
    );
  const exists = async (ref: string) =>
    docker()
      .getImage(ref)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  afterAll(async () => {
    for (const t of ['old', 'used', 'new', 'plain'])
      await execa('docker', ['rmi', '-f', `${repo}:${t}`], { reject: false });
  });

  it("removes drill's unused images but the newest of each name; never one in use or without the label", async () => {
    await build('old', true);
    await build('used', true);
    const user = await docker().createContainer({ name: `prune-user-${nonce}`, Image: `${repo}:used`, Cmd: ['/none'] });
    // Created times have a resolution of one second: the newest must be unambiguous.
    await new Promise((r) => setTimeout(r, 1100));
    await build('new', true);
    await build('plain', false);
    try {
      const r = await execa('node', [bin, 'cleanup', '--run', runId, '--images'], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/removed \d+ image\(s\) drill built/);
      expect(await exists(`${repo}:old`)).toBe(false);
      expect(await exists(`${repo}:used`)).toBe(true);
      expect(await exists(`${repo}:new`)).toBe(true);
      expect(await exists(`${repo}:plain`)).toBe(true);
    } finally {
      await user.remove({ force: true });
    }
  });
});
