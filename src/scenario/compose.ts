// Reading the user's own docker-compose.yml (cluster.compose, issue 15). Two passes:
//
//   1. the file against the Compose Specification's own JSON Schema (schema/compose-spec.json,
//      vendored from github.com/compose-spec/compose-spec, Apache-2.0), validated with ajv:
//      a misspelt or misplaced key is reported as Compose itself would reject it;
//   2. the subset drill supports for stateful stacks. drill creates the containers itself
//      (its labels, network, cleanup and fault plumbing) and never runs `docker compose up`,
//      so every key it would not honour is an error naming file:line and the key, never
//      silently ignored.
//
// Supported per service: image, build (context, dockerfile), command, entrypoint,
// environment, env_file, volumes (named: a volume per node; binds: mounted read-only),
// ports (the container side, published on 127.0.0.1), expose, healthcheck (the health probe
// when the scenario gives none), depends_on (with conditions), networks (one drill network,
// aliases kept), user, tmpfs, ulimits, stop_grace_period, deploy.replicas and scale, and
// x-* extensions. ${VAR} and ${VAR:-default} are interpolated from the harness's environment.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ScenarioError } from '../core/errors.js';
import { parseDuration } from './duration.js';
import { formatFieldPath, offsetOf, type PathSegment } from './problems.js';

export interface ComposeVolume {
  type: 'volume' | 'bind';
  /** Volume name, or the absolute host path of a bind. */
  source: string;
  target: string;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  volumes: ComposeVolume[];
  ports: number[];
  healthcheck?: { test: string[]; timeoutMs?: number };
  dependsOn: { service: string; condition: 'started' | 'healthy' }[];
  aliases: string[];
  user?: string;
  tmpfs: string[];
  ulimits: Record<string, { soft: number; hard: number }>;
  stopGraceMs?: number;
  replicas: number;
}

export interface ComposeModel {
  file: string;
  services: ComposeService[];
}

const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'volumes',
  'ports',
  'expose',
  'healthcheck',
  'depends_on',
  'networks',
  'user',
  'tmpfs',
  'ulimits',
  'stop_grace_period',
  'deploy',
  'scale',
]);
const TOP_KEYS = new Set(['version', 'name', 'services', 'volumes', 'networks']);
/**
 * The healthcheck's test becomes the health probe, with its timeout; drill polls it itself until the group's
 * boot_timeout, so interval, retries and start_period (Docker's own polling) have nothing to set.
 */
const HEALTH_KEYS = new Set(['test', 'timeout', 'disable', 'interval', 'retries', 'start_period', 'start_interval']);

/** Why a valid Compose key is refused, when there is more to say than "not supported". */
const WHY: Record<string, string> = {
  restart: 'drill manages each node (faults kill and restart it; a restart policy would undo them)',
  container_name: 'drill names the containers of a run (drill-<run>-<node>) so that runs never collide',
  network_mode: 'every node is on the run network drill creates',
  privileged: 'drill does not run privileged containers',
  secrets: 'give the value through environment or env_file',
  configs: 'mount the file from the build context, or a read-only bind',
};

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly lines: string[] = [];
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}
  add(p: PathSegment[], message: string, at: 'key' | 'value' = 'value'): void {
    const { line, col } = this.lc.linePos(offsetOf(this.doc, p, at));
    this.lines.push(`${this.file}:${line}:${col}: ${formatFieldPath(p)}: ${message}`);
  }
}

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = Object.assign(() => true, {});
let compiled = false;
function specValidator(): typeof validator {
  if (compiled) return validator;
  const req = createRequire(import.meta.url);
  const Ajv = req('ajv') as { default: new (o: object) => { compile(s: object): typeof validator } };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const schema = JSON.parse(readFileSync(path.resolve(here, '../../schema/compose-spec.json'), 'utf8')) as object;
  // The spec names its meta-schema by an https URL ajv does not know; the schema itself is trusted.
  validator = new Ajv.default({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
  compiled = true;
  return validator;
}

/** ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR and $$ (a literal $), from the harness's environment. */
export function interpolate(s: string, env: NodeJS.ProcessEnv = process.env): string {
  return s.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, a, op, def, b) => {
      if (all === '$$') return '$';
      const name = (a ?? b) as string;
      const v = env[name];
      if (op === ':-') return v === undefined || v === '' ? (def as string) : v;
      if (op === '-') return v === undefined ? (def as string) : v;
      return v ?? '';
    },
  );
}

function interpolateAll(v: unknown): unknown {
  if (typeof v === 'string') return interpolate(v);
  if (Array.isArray(v)) return v.map(interpolateAll);
  if (isRec(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateAll(x)]));
  return v;
}

/** A command given as one string is split like a shell would split words (quotes kept together). */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (const ch of s) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur !== '' || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur !== '' || any) out.push(cur);
  return out;
}

const words = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? splitWords(v) : Array.isArray(v) ? v.map(String) : undefined;

function envOf(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(
      v.map((e) => {
        const s = String(e);
        const i = s.indexOf('=');
        return i < 0 ? [s, process.env[s] ?? ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  }
  if (isRec(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : String(x)]));
  return {};
}

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const i = t.indexOf('=');
    if (i < 0) continue;
    out[t.slice(0, i).trim()] = t
      .slice(i + 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function containerPort(p: unknown): number | undefined {
  if (typeof p === 'number') return p;
  if (isRec(p)) return typeof p['target'] === 'number' ? p['target'] : Number(p['target']);
  const s = String(p).split('/')[0]!;
  const last = s.split(':').pop()!;
  if (last.includes('-')) return undefined;
  return Number(last);
}

function durationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  // Compose durations: 1m30s, 10s, 500ms
  let total = 0;
  let any = false;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|us|s|m|h)/g)) {
    any = true;
    total += Number(m[1]) * { ms: 1, us: 0.001, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'];
  }
  return any ? total : parseDuration(v);
}

/** Read, check and convert a Compose file; ScenarioError (exit 2) with every problem found. */
export function readCompose(file: string): ComposeModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([`${file}:1:1: (root): cannot read the Compose file: ${(e as Error).message}`]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const { line, col } = lc.linePos(e.pos[0]);
        return `${file}:${line}:${col}: YAML syntax: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw = interpolateAll(doc.toJS({ maxAliasCount: 100 })) as unknown;
  const problems = new Problems(file, doc, lc);
  const validate = specValidator();
  if (!validate(raw)) {
    for (const e of validate.errors ?? []) {
      const p = e.instancePath
        .split('/')
        .slice(1)
        .map((x) => (/^\d+$/.test(x) ? Number(x) : x.replace(/~1/g, '/')));
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      if (extra !== undefined)
        problems.add([...p, extra], `not a Compose key (the Compose Specification has no ${extra} here)`, 'key');
      else if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') problems.add(p, `Compose Specification: ${e.message}`);
    }
    if (problems.lines.length > 0) throw new ScenarioError([...new Set(problems.lines)]);
  }
  const root = isRec(raw) ? raw : {};
  for (const k of Object.keys(root)) {
    if (!TOP_KEYS.has(k) && !k.startsWith('x-'))
      problems.add([k], `not supported by drill${WHY[k] ? `: ${WHY[k]}` : ''}`, 'key');
  }
  for (const top of ['volumes', 'networks'] as const) {
    const defs = root[top];
    for (const [n, d] of isRec(defs) ? Object.entries(defs) : [])
      for (const k of isRec(d) ? Object.keys(d) : [])
        problems.add(
          [top, n, k],
          `not supported by drill (it creates the ${top === 'volumes' ? "nodes' volumes" : 'run network'} itself)`,
          'key',
        );
  }
  const dir = path.dirname(path.resolve(file));
  const services: ComposeService[] = [];
  const svcs = isRec(root['services']) ? root['services'] : {};
  for (const [name, v] of Object.entries(svcs)) {
    if (!isRec(v)) continue;
    const at = (...p: PathSegment[]) => ['services', name, ...p];
    for (const k of Object.keys(v)) {
      if (!SERVICE_KEYS.has(k) && !k.startsWith('x-'))
        problems.add(
          at(k),
          `not supported by drill${WHY[k] ? `: ${WHY[k]}` : ' (drill creates the containers itself)'}`,
          'key',
        );
    }
    const s: ComposeService = {
      name,
      environment: {},
      volumes: [],
      ports: [],
      dependsOn: [],
      aliases: [],
      tmpfs: [],
      ulimits: {},
      replicas: 1,
    };
    if (typeof v['image'] === 'string') s.image = v['image'];
    const build = v['build'];
    if (typeof build === 'string') s.build = { context: path.resolve(dir, build) };
    else if (isRec(build)) {
      for (const k of Object.keys(build)) {
        if (k !== 'context' && k !== 'dockerfile' && !k.startsWith('x-'))
          problems.add(at('build', k), 'not supported by drill', 'key');
      }
      s.build = { context: path.resolve(dir, String(build['context'] ?? '.')) };
      if (typeof build['dockerfile'] === 'string') s.build.dockerfile = build['dockerfile'];
    }
    if (s.image === undefined && s.build === undefined) problems.add(at(), 'a service needs image or build');
    const cmd = words(v['command']);
    if (cmd) s.command = cmd;
    const ep = words(v['entrypoint']);
    if (ep) s.entrypoint = ep;
    const files = v['env_file'] === undefined ? [] : Array.isArray(v['env_file']) ? v['env_file'] : [v['env_file']];
    for (const [i, f] of files.entries()) {
      const rel = isRec(f) ? String(f['path']) : String(f);
      try {
        Object.assign(s.environment, readEnvFile(path.resolve(dir, rel)));
      } catch (e) {
        problems.add(
          Array.isArray(v['env_file']) ? at('env_file', i) : at('env_file'),
          `cannot read ${rel}: ${(e as Error).message}`,
        );
      }
    }
    Object.assign(s.environment, envOf(v['environment']));
    for (const [i, vol] of (Array.isArray(v['volumes']) ? v['volumes'] : []).entries()) {
      let type: string;
      let source: string;
      let target: string;
      if (isRec(vol)) {
        type = String(vol['type'] ?? 'volume');
        source = String(vol['source'] ?? '');
        target = String(vol['target'] ?? '');
      } else {
        const parts = String(vol).split(':');
        target = parts.length === 1 ? parts[0]! : parts[1]!;
        source = parts.length === 1 ? '' : parts[0]!;
        type = source.startsWith('.') || source.startsWith('/') || source.startsWith('~') ? 'bind' : 'volume';
      }
      if (type === 'bind') s.volumes.push({ type: 'bind', source: path.resolve(dir, source), target });
      else if (type === 'volume') s.volumes.push({ type: 'volume', source: source || `anon${i}`, target });
      else
        problems.add(at('volumes', i), `volume type ${type} is not supported by drill (named volumes and binds are)`);
    }
    for (const [i, p] of (Array.isArray(v['ports']) ? v['ports'] : []).entries()) {
      const proto = isRec(p) ? p['protocol'] : /\/(\w+)$/.exec(String(p))?.[1];
      if (proto !== undefined && proto !== 'tcp') {
        problems.add(at('ports', i), `protocol ${String(proto)} is not supported by drill (TCP ports are)`);
        continue;
      }
      const cp = containerPort(p);
      if (cp === undefined || !Number.isInteger(cp))
        problems.add(at('ports', i), 'expected one container port (a range is not supported)');
      else s.ports.push(cp);
    }
    const hc = v['healthcheck'];
    for (const k of isRec(hc) ? Object.keys(hc) : [])
      if (!HEALTH_KEYS.has(k)) problems.add(at('healthcheck', k), 'not supported by drill', 'key');
    if (isRec(hc) && hc['disable'] !== true) {
      const t = hc['test'];
      const test = typeof t === 'string' ? ['/bin/sh', '-c', t] : Array.isArray(t) ? t.map(String) : undefined;
      if (test && test[0] === 'CMD') s.healthcheck = { test: test.slice(1) };
      else if (test && test[0] === 'CMD-SHELL') s.healthcheck = { test: ['/bin/sh', '-c', test.slice(1).join(' ')] };
      else if (test && test[0] !== 'NONE') s.healthcheck = { test };
      const to = durationMs(hc['timeout']);
      if (s.healthcheck && to !== undefined) s.healthcheck.timeoutMs = to;
    }
    const deps = v['depends_on'];
    if (Array.isArray(deps)) for (const d of deps) s.dependsOn.push({ service: String(d), condition: 'started' });
    else if (isRec(deps)) {
      for (const [d, c] of Object.entries(deps)) {
        const cond = isRec(c) ? String(c['condition'] ?? 'service_started') : 'service_started';
        for (const k of isRec(c) ? Object.keys(c) : [])
          if (k !== 'condition' && !(k === 'required' && (c as Rec)[k] === true))
            problems.add(at('depends_on', d, k), 'not supported by drill (condition is)', 'key');
        if (cond === 'service_healthy') s.dependsOn.push({ service: d, condition: 'healthy' });
        else if (cond === 'service_started') s.dependsOn.push({ service: d, condition: 'started' });
        else
          problems.add(
            at('depends_on', d, 'condition'),
            `condition ${cond} is not supported by drill (service_started, service_healthy)`,
          );
      }
    }
    for (const d of s.dependsOn)
      if (!(d.service in svcs)) problems.add(at('depends_on'), `unknown service ${d.service}`);
    const nets = v['networks'];
    if (isRec(nets)) {
      for (const [n, c] of Object.entries(nets)) {
        if (isRec(c) && Array.isArray(c['aliases'])) s.aliases.push(...c['aliases'].map(String));
        if (isRec(c))
          for (const k of Object.keys(c))
            if (k !== 'aliases')
              problems.add(at('networks', n, k), 'not supported by drill (one run network; aliases are kept)', 'key');
      }
    }
    if (typeof v['user'] === 'string' || typeof v['user'] === 'number') s.user = String(v['user']);
    const tmp = v['tmpfs'];
    if (typeof tmp === 'string') s.tmpfs.push(tmp.split(':')[0]!);
    else if (Array.isArray(tmp)) s.tmpfs.push(...tmp.map((x) => String(x).split(':')[0]!));
    if (isRec(v['ulimits'])) {
      for (const [k, u] of Object.entries(v['ulimits'])) {
        if (typeof u === 'number') s.ulimits[k] = { soft: u, hard: u };
        else if (isRec(u)) s.ulimits[k] = { soft: Number(u['soft']), hard: Number(u['hard']) };
      }
    }
    const grace = durationMs(v['stop_grace_period']);
    if (grace !== undefined) s.stopGraceMs = grace;
    const deploy = v['deploy'];
    if (isRec(deploy)) {
      for (const k of Object.keys(deploy))
        if (k !== 'replicas') problems.add(at('deploy', k), 'not supported by drill (deploy.replicas is)', 'key');
      if (typeof deploy['replicas'] === 'number') s.replicas = deploy['replicas'];
    }
    if (typeof v['scale'] === 'number') s.replicas = v['scale'];
    if (s.replicas < 1 || s.replicas > 9)
      problems.add(at(v['scale'] !== undefined ? 'scale' : 'deploy'), 'expected 1..9 replicas');
    services.push(s);
  }
  if (services.length === 0) problems.add(['services'], 'the Compose file defines no service');
  if (problems.lines.length > 0) throw new ScenarioError([...new Set(problems.lines)]);
  return { file: path.resolve(file), services };
}

/** A service's nodes: its name, or <service>-1..N with replicas. */
export function composeNodeNames(s: ComposeService): string[] {
  return s.replicas === 1 ? [s.name] : Array.from({ length: s.replicas }, (_, i) => `${s.name}-${i + 1}`);
}

/**
 * The groups of a Compose cluster: those the scenario declares (their `services`, or the service of the group's
 * name), then one group per remaining service (named after it, with _ for characters a group name cannot have).
 */
export function composeGroups(
  model: ComposeModel,
  declared: Record<string, { services?: string[] | undefined }>,
): { name: string; services: ComposeService[]; declared: boolean }[] {
  const byService = new Map(model.services.map((s) => [s.name, s]));
  const claimed = new Set<string>();
  const out: { name: string; services: ComposeService[]; declared: boolean }[] = [];
  for (const [name, g] of Object.entries(declared)) {
    const services = (g.services ?? [name]).map((s) => byService.get(s)).filter((s): s is ComposeService => !!s);
    for (const s of services) claimed.add(s.name);
    out.push({ name, services, declared: true });
  }
  for (const s of model.services) {
    if (!claimed.has(s.name))
      out.push({ name: s.name.toLowerCase().replace(/[^a-z0-9_]/g, '_'), services: [s], declared: false });
  }
  return out;
}
