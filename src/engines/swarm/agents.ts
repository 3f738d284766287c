// The run's fault agents: one global service, `drill-<runId>-agent`, a task on every host,
// from the agent image (src/agent/image.ts) loaded into each host. What each task gets, and
// why (docs/swarm.md):
//
//   the host's /proc, read-only, at /host/proc   pids and namespaces of the host's containers
//                                                (a service cannot join the host PID namespace)
//   the host's /sys/fs/cgroup, read-write,       the resource faults' cgroup files: memory and
//     at /host/cgroup                            cpu read their limits back there, io-limit
//                                                writes blkio throttles (Docker's update API
//                                                cannot set device limits); the agent's ops
//                                                touch only this run's containers' cgroups
//   the host's Docker socket                     signals, inspect, resource updates, OOM
//                                                events, loop helpers on that host
//   NET_ADMIN, SYS_ADMIN                         iptables and tc in a namespace; setns
//                                                (the default set stays: entering a node's
//                                                namespace needs every capability the node has)
//   the run's volumes /faketime and /disks       offset files and disk images on that host
//   the shared directory at /shared, if any      the run's backup repository
//   the token, a swarm secret                    the harness authenticates with it
//   a port published in host mode                where the harness reaches it
//
// A task that dies is restarted by the swarm (restart condition any) on a new port; the
// harness finds it again through the manager (client.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Clock } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import { errorLine } from '../../docker/engine.js';
import { drillLabels, LABEL } from '../../docker/labels.js';
import { FaultAgentClient, type AgentEndpoint } from '../../agent/client.js';
import { AGENT_PORT, runNames, TOKEN_FILE } from '../../agent/protocol.js';
import { demuxText } from '../../agent/loop-helper.js';
import type { Swarm, SwarmHost } from './hosts.js';
import { removeContainersNow, removeService, serviceTasks, waitNoContainers, waitRunningTasks } from './tasks.js';

const KIND = 'fault-agent';

export class AgentFleet {
  readonly clients = new Map<string, FaultAgentClient>();
  /** What describe() said last (the report is written after the agents are gone). */
  private described: Record<string, unknown> = {};
  private serviceId: string | undefined;
  private readonly names: ReturnType<typeof runNames>;

  constructor(
    private readonly swarm: Swarm,
    private readonly runId: string,
    private readonly clock: Clock,
    private readonly sharedDir: string | undefined,
    private readonly logDir?: string | undefined,
  ) {
    this.names = runNames(runId);
  }

  private labels(): Record<string, string> {
    return drillLabels({ runId: this.runId, role: 'helper', kind: KIND });
  }

  /** Deploy the service and connect to every host's agent. */
  async deploy(image: string): Promise<void> {
    const m = this.swarm.manager;
    const token = randomBytes(32).toString('hex');
    const secret = await m
      .createSecret({
        Name: this.names.tokenSecret,
        Labels: this.labels(),
        Data: Buffer.from(token).toString('base64'),
      })
      .catch((e: unknown) => {
        throw new InfraError(`swarm: create secret ${this.names.tokenSecret}: ${errorLine(e)}`);
      });
    const volume = (name: string, target: string): Docker.MountSettings =>
      ({ Type: 'volume', Source: name, Target: target, VolumeOptions: { Labels: this.labels() } }) as never;
    const mounts: Docker.MountSettings[] = [
      { Type: 'bind', Source: '/proc', Target: '/host/proc', ReadOnly: true },
      { Type: 'bind', Source: '/sys/fs/cgroup', Target: '/host/cgroup' },
      { Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' },
      volume(this.names.faketimeVolume, '/faketime'),
      volume(this.names.disksVolume, '/disks'),
      ...(this.sharedDir !== undefined ? [{ Type: 'bind', Source: this.sharedDir, Target: '/shared' } as const] : []),
    ];
    const spec = {
      Name: this.names.agentService,
      Labels: this.labels(),
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Args: ['serve'],
          Labels: this.labels(),
          Env: [
            `DRILL_RUN=${this.runId}`,
            'DRILL_AGENT_HOST={{.Node.Hostname}}',
            `DRILL_AGENT_IMAGE=${image}`,
            `DRILL_AGENT_PORT=${AGENT_PORT}`,
            ...(this.sharedDir !== undefined ? ['DRILL_AGENT_SHARED=/shared'] : []),
          ],
          Mounts: mounts,
          Secrets: [
            {
              SecretID: (secret as { id: string }).id,
              SecretName: this.names.tokenSecret,
              File: { Name: TOKEN_FILE.split('/').at(-1)!, UID: '0', GID: '0', Mode: 0o400 },
            },
          ],
          CapabilityAdd: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN'],
          StopGracePeriod: 2_000_000_000,
        },
        RestartPolicy: { Condition: 'any', Delay: 500_000_000 },
      },
      Mode: { Global: {} },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: AGENT_PORT, PublishMode: 'host' }] },
    };
    try {
      this.serviceId = ((await m.createService(spec as unknown as Docker.CreateServiceOptions)) as { id: string }).id;
    } catch (e) {
      throw new InfraError(`swarm: create the fault agent service: ${errorLine(e)}`);
    }
    await waitRunningTasks(m, this.serviceId, 'fault agents', { count: this.swarm.hosts.length });
    await Promise.all(
      this.swarm.hosts.map(async (h) => {
        const c = new FaultAgentClient({
          host: h.hostname,
          runId: this.runId,
          token,
          clock: this.clock,
          locate: () => this.locate(h),
        });
        await c.connect();
        this.clients.set(h.hostname, c);
      }),
    );
  }

  /** Where the agent of host `h` listens now. */
  private async locate(h: SwarmHost): Promise<AgentEndpoint> {
    if (this.serviceId === undefined) throw new InfraError('fault agents are not deployed');
    const deadline = this.clock.now() + 30_000;
    for (;;) {
      const t = (await serviceTasks(this.swarm.manager, this.serviceId)).find(
        (x) => x.nodeId === h.nodeId && x.desired === 'running' && x.state === 'running' && x.ports.has(AGENT_PORT),
      );
      if (t) return { address: h.address, port: t.ports.get(AGENT_PORT)! };
      if (this.clock.now() > deadline) throw new InfraError(`fault agent on ${h.hostname}: no running task`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  client(host: string): FaultAgentClient {
    const c = this.clients.get(host);
    if (!c) throw new InfraError(`no fault agent on host ${host} (hosts: ${[...this.clients.keys()].join(', ')})`);
    return c;
  }

  /** Clock offsets of the agents, for the report. */
  describe(): Record<string, unknown> {
    if (this.clients.size === 0) return this.described;
    this.described = Object.fromEntries(
      [...this.clients].map(([h, c]) => [
        h,
        c.offset
          ? {
              clock_offset_ms: +c.offset.offsetMs.toFixed(3),
              clock_error_ms: +c.offset.errorMs.toFixed(3),
            }
          : null,
      ]),
    );
    return this.described;
  }

  /** The clock offset of a host's agent, as measured (null before it is connected). */
  clockOf(host: string): { clock_offset_ms: number; clock_error_ms: number } | null {
    return (this.describe()[host] as { clock_offset_ms: number; clock_error_ms: number } | null | undefined) ?? null;
  }

  /** Each host's agent output (every task of it, oldest first) into <logDir>/agent-<host>.log. */
  private async keepLogs(): Promise<void> {
    if (this.logDir === undefined) return;
    mkdirSync(this.logDir, { recursive: true });
    await Promise.all(
      this.swarm.hosts.map(async (h) => {
        const cs = await h.docker.listContainers({
          all: true,
          filters: { label: [`${LABEL.run}=${this.runId}`, `${LABEL.kind}=${KIND}`] },
        });
        const parts: string[] = [];
        for (const c of cs.sort((a, b) => a.Created - b.Created)) {
          const raw = (await h.docker.getContainer(c.Id).logs({ stdout: true, stderr: true })) as unknown as Buffer;
          parts.push(demuxText(raw));
        }
        writeFileSync(path.join(this.logDir!, `agent-${h.hostname}.log`), parts.join(''));
      }),
    );
  }

  /** Remove the service, its tasks, its secret and its volumes on every host. Never throws. */
  async remove(): Promise<string[]> {
    const errors: string[] = [];
    this.describe();
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    const m = this.swarm.manager;
    await this.keepLogs().catch(() => undefined);
    await removeService(m, this.names.agentService).catch((e: unknown) => errors.push(errorLine(e)));
    await Promise.all(
      this.swarm.hosts.map(async (h) => {
        const labels = [`${LABEL.run}=${this.runId}`, `${LABEL.kind}=${KIND}`];
        await removeContainersNow(h.docker, labels);
        await waitNoContainers(h.docker, labels).catch(() => undefined);
        for (const v of [this.names.faketimeVolume, this.names.disksVolume]) {
          await h.docker
            .getVolume(v)
            .remove()
            .catch((e: unknown) => {
              if ((e as { statusCode?: number }).statusCode !== 404)
                errors.push(`${h.hostname}: volume ${v}: ${errorLine(e)}`);
            });
        }
      }),
    );
    await m
      .getSecret(this.names.tokenSecret)
      .remove()
      .catch((e: unknown) => {
        if ((e as { statusCode?: number }).statusCode !== 404) errors.push(`secret: ${errorLine(e)}`);
      });
    return errors;
  }
}
