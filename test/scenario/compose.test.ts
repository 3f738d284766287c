import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.js';
import { composeNodeNames, readCompose } from '../../src/scenario/compose.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { layoutFromCompose } from '../../src/targets/custom/layout.js';

const COMPOSE = `x-node: &node
  build: .
  stop_grace_period: 10s
services:
  etcd:
    <<: *node
    command: etcd --name "$\${HOSTNAME}" --data-dir /data
    deploy: { replicas: 3 }
    volumes: [data:/data, ./conf:/conf]
    ports: ['2379']
    healthcheck: { test: [CMD, etcdctl, endpoint, health], timeout: 3s }
  db:
    <<: *node
    environment: { SYNC: '\${DRILL_TEST_SYNC:-true}' }
    env_file: db.env
    ports: ['127.0.0.1:15432:5432']
    depends_on: { etcd: { condition: service_healthy } }
volumes:
  data:
`;

const problems = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-compose-'));
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(dir, 'db.env'), '# comment\nPGUSER=postgres\nEMPTY=\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Compose import', () => {
  it('maps the keys stateful stacks use: replicas, merged anchors, env files, ports, healthcheck, depends_on', () => {
    const m = readCompose(join(dir, 'docker-compose.yml'));
    const etcd = m.services.find((s) => s.name === 'etcd')!;
    const db = m.services.find((s) => s.name === 'db')!;
    expect(etcd.replicas).toBe(3);
    expect(composeNodeNames(etcd)).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(composeNodeNames(db)).toEqual(['db']);
    expect(etcd.command).toEqual(['etcd', '--name', '${HOSTNAME}', '--data-dir', '/data']);
    expect(etcd.build?.context).toBe(dir);
    expect(etcd.stopGraceMs).toBe(10_000);
    expect(etcd.healthcheck).toEqual({ test: ['etcdctl', 'endpoint', 'health'], timeoutMs: 3000 });
    expect(etcd.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/data' },
      { type: 'bind', source: join(dir, 'conf'), target: '/conf' },
    ]);
    // The container side only: drill publishes every port on 127.0.0.1 itself.
    expect(db.ports).toEqual([5432]);
    expect(db.environment).toEqual({ SYNC: 'true', PGUSER: 'postgres', EMPTY: '' });
    expect(db.dependsOn).toEqual([{ service: 'etcd', condition: 'healthy' }]);
  });

  it('names file:line and the key of anything it does not support, and of what the Compose spec forbids', async () => {
    const f = join(dir, 'bad.yml');
    await writeFile(f, 'services:\n  db:\n    image: postgres\n    privileged: true\n    restart: always\n');
    const p = problems(() => readCompose(f));
    expect(p.some((l) => l.startsWith(`${f}:4:5: services.db.privileged`))).toBe(true);
    expect(p.some((l) => l.startsWith(`${f}:5:5: services.db.restart`))).toBe(true);
    await writeFile(
      f,
      'services:\n  db:\n    image: postgres\n    ports: [5432, "53/udp"]\n' +
        '    depends_on: { etcd: { condition: service_started, restart: true } }\n' +
        '  etcd:\n    image: etcd\n    healthcheck: { test: [CMD, "true"], interval: 1s, retries: 3 }\n' +
        'volumes:\n  data: { driver: local }\n',
    );
    expect(problems(() => readCompose(f))).toEqual([
      `${f}:10:11: volumes.data.driver: not supported by drill (it creates the nodes' volumes itself)`,
      `${f}:4:19: services.db.ports[1]: protocol udp is not supported by drill (TCP ports are)`,
      `${f}:5:55: services.db.depends_on.etcd.restart: not supported by drill (condition is)`,
    ]);
    await writeFile(f, 'services:\n  db:\n    image: postgres\n    imagee: x\n');
    expect(problems(() => readCompose(f))[0]).toMatch(
      new RegExp(`^${f}:4:5: services\\.db\\.imagee: not a Compose key`),
    );
  });
});

const scenario = (groups: string, steps: string) =>
  `name: s\ncluster:\n  target: custom\n  compose: docker-compose.yml\n  groups:\n${groups}steps:\n${steps}`;
const PROBES =
  '      probes:\n        health: { http: { port: 8008, path: /health } }\n' +
  '        role: { http: { port: 8008, path: /primary } }\n' +
  "        write: { http: { port: 8008, method: PUT, path: '/k/{{id}}' } }\n" +
  "        read: { http: { port: 8008, path: '/k' } }\n";
const GROUPS = `    db:\n      services: [db]\n${PROBES}    etcd:\n      services: [etcd]\n`;

describe('node references in a Compose scenario', () => {
  const load = async (groups: string, steps: string) => {
    const f = join(dir, 's.yaml');
    await writeFile(f, scenario(groups, steps));
    try {
      await loadScenarioFile(f);
      return [];
    } catch (e) {
      if (e instanceof ScenarioError) return e.problems;
      throw e;
    }
  };

  it('accepts the nodes and groups the Compose file has', async () => {
    const steps =
      '  - fault: { name: a, kind: kill, target: primary }\n' +
      '  - fault: { name: b, kind: kill, group: etcd, target: random }\n' +
      '  - fault: { name: c, kind: pause, node: etcd-2 }\n';
    expect(await load(GROUPS, steps)).toEqual([]);
  });

  it('refuses a node or group the Compose file does not have, naming what exists', async () => {
    const p = await load(GROUPS, '  - fault: { name: a, kind: kill, node: etcd-4 }\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/s\.yaml:\d+:\d+: steps\[0\]\.fault\.node: .*etcd-4/);
    expect(p[0]).toContain('etcd-3');
    const q = await load(GROUPS, '  - fault: { name: a, kind: kill, group: zookeeper, target: random }\n');
    expect(q[0]).toMatch(/steps\[0\]\.fault\.group: .*zookeeper/);
  });

  it('takes disk-full to the named volumes of the Compose services it strikes', async () => {
    // etcd has a named volume (data:/data); db has none.
    expect(await load(GROUPS, '  - fault: { name: a, kind: disk-full, group: etcd, target: random }\n')).toEqual([]);
    const p = await load(GROUPS, '  - fault: { name: a, kind: disk-full, target: primary }\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /s\.yaml:\d+:\d+: steps\[0\]\.fault\.kind: disk-full fills .*: db has none in the Compose file/,
    );
  });

  it('refuses a template naming a group the Compose file does not have', async () => {
    const typo = GROUPS.replace("path: '/k/{{id}}'", "path: '/k/{{id}}?peers={{groups.etcdd.peers}}'");
    expect(typo).not.toBe(GROUPS);
    const p = await load(typo, '  - wait: 1s\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/s\.yaml:\d+:\d+: cluster\.groups: a template names group etcdd, .*\(groups: .*etcd/);
    const fine = GROUPS.replace("path: '/k/{{id}}'", "path: '/k/{{id}}?peers={{groups.etcd.peers}}'");
    expect(await load(fine, '  - wait: 1s\n')).toEqual([]);
  });

  it('refuses a primary in a group that carries no data', async () => {
    const p = await load(GROUPS, '  - fault: { name: a, kind: kill, group: etcd, target: primary }\n');
    expect(p[0]).toMatch(/steps\[0\]\.fault/);
  });
});

describe('the layout of a Compose scenario', () => {
  it('services become nodes and groups: aliases, depends_on order, probes on a service port', async () => {
    const f = join(dir, 'layout.yaml');
    await writeFile(f, scenario(GROUPS.replace('    etcd:\n      services: [etcd]\n', ''), '  - wait: 1s\n'));
    const sc = (await loadScenarioFile(f)).scenario;
    const layout = layoutFromCompose(readCompose(join(dir, 'docker-compose.yml')), sc.cluster.groups!);
    expect(layout.nodes.map((n) => `${n.group}/${n.name}`).sort()).toEqual([
      'db/db',
      'etcd/etcd-1',
      'etcd/etcd-2',
      'etcd/etcd-3',
    ]);
    const node = (n: string) => layout.nodes.find((x) => x.name === n)!;
    expect(node('etcd-2').aliases).toEqual(['etcd']);
    expect(layout.groups.map((g) => g.name)).toEqual(['etcd', 'db']);
    expect(layout.data.name).toBe('db');
    expect(layout.data.dependsOn).toEqual([{ group: 'etcd', condition: 'healthy' }]);
    expect(layout.spec.ports).toEqual([5432]);
    // the Compose healthcheck is etcd's health probe; the bind is read-only in the container (cluster.ts)
    expect(node('etcd-1').health).toMatchObject({ exec: { command: ['etcdctl', 'endpoint', 'health'] } });
    expect(node('etcd-1').binds).toEqual([{ source: join(dir, 'conf'), target: '/conf' }]);
  });
});
