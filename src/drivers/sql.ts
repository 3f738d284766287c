// The SQL driver: a fixed statement with bound parameters (the values are never spliced into
// the text), sent with `pg` (node-postgres, the standard PostgreSQL client for Node) or
// `mysql2` (the maintained MySQL/MariaDB client with prepared statements). Both give a
// client-side timeout per query and say whether the connection was ever made, which tells
// "never sent" from "sent, no answer".
//
// Connections: one per (node, channel), as for Redis: each workload worker holds its own;
// after a transport failure the connection is dropped and opened again on the next request.
//
// Classification (docs/custom-targets.md, "Native clients"):
//   could not connect (refused, timeout, authentication, too many clients)   unsent    fail
//   PostgreSQL SQLSTATE class 25 (read-only transaction...), 40001, 40P01,   refused   fail
//     class 23 (23505 unique violation...), 22, 42, 57P03 (cannot connect now)
//   MySQL errno 1290 / 1792 (read only), 1062 (duplicate), 1213 (deadlock),  refused   fail
//     1205 (lock wait timeout), 1064 / 1146 (statement or table)
//   any other error (57P01 admin shutdown, 08xxx connection failure...)      mismatch  info
//   query timeout, connection lost after sending                            unknown   info

import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DriverOutcome, NodeAddress } from './outcome.js';

export type SqlDialect = 'postgres' | 'mysql';

export interface SqlSettings {
  driver: SqlDialect;
  user?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
}

export interface SqlRequest {
  /** The statement, with $1.. (postgres) or ? (mysql) placeholders. */
  statement: string;
  /** Bound parameters, templates already rendered. */
  params: string[];
  /** Read-back: the column ids are taken from (default: the first). */
  column?: string | undefined;
  /** A regular expression the result (rows as text, one per line) must match. */
  match?: string | undefined;
}

const PG_REFUSED_CLASSES = ['25', '23', '22', '42'];
const PG_REFUSED_CODES = ['40001', '40P01', '57P03', '55P03'];
const MYSQL_REFUSED = [1290, 1792, 1062, 1213, 1205, 1064, 1146, 1054, 1142, 1044, 1045];

/** The outcome of a statement that threw, from its SQLSTATE (postgres) or errno (mysql). */
export function classifySqlError(dialect: SqlDialect, e: unknown, connected: boolean): DriverOutcome {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown };
  const message = typeof err.message === 'string' ? err.message : String(e);
  if (!connected) return { kind: 'unsent', error: message };
  if (dialect === 'postgres') {
    const code = typeof err.code === 'string' ? err.code : '';
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (PG_REFUSED_CODES.includes(code) || PG_REFUSED_CLASSES.includes(code.slice(0, 2))) {
        return { kind: 'refused', output: message, detail: `SQLSTATE ${code}` };
      }
      return { kind: 'mismatch', output: message, detail: `SQLSTATE ${code}` };
    }
  } else if (typeof err.errno === 'number') {
    if (MYSQL_REFUSED.includes(err.errno)) return { kind: 'refused', output: message, detail: `errno ${err.errno}` };
    return { kind: 'mismatch', output: message, detail: `errno ${err.errno}` };
  }
  return { kind: 'unknown', error: /timeout/i.test(message) ? 'timeout' : message };
}

interface Conn {
  query(req: SqlRequest, timeoutMs: number): Promise<{ rows: Record<string, unknown>[]; fields: string[] }>;
  close(): void;
}

async function openPg(addr: NodeAddress, s: SqlSettings, timeoutMs: number): Promise<Conn> {
  const c = new pg.Client({
    host: addr.host,
    port: addr.port,
    user: s.user,
    password: s.password,
    database: s.database,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  c.on('error', () => {}); // a server-side close between requests; surfaced on the next one
  await c.connect();
  return {
    async query(req, t) {
      const r = await c.query({ text: req.statement, values: req.params, query_timeout: t } as pg.QueryConfig);
      return { rows: r.rows as Record<string, unknown>[], fields: r.fields.map((f) => f.name) };
    },
    close: () => void c.end().catch(() => {}),
  };
}

async function openMysql(addr: NodeAddress, s: SqlSettings, timeoutMs: number): Promise<Conn> {
  const c = await mysql.createConnection({
    host: addr.host,
    port: addr.port,
    user: s.user,
    password: s.password,
    database: s.database,
    connectTimeout: timeoutMs,
  });
  c.on('error', () => {});
  return {
    async query(req, t) {
      const [rows, fields] = await c.execute({ sql: req.statement, timeout: t }, req.params);
      const list = Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      return { rows: list, fields: (fields ?? []).map((f) => f.name) };
    },
    close: () => c.destroy(),
  };
}

export class SqlDriver {
  private readonly conns = new Map<string, Conn>();

  constructor(
    private readonly address: (node: string) => NodeAddress | undefined,
    private readonly settings: SqlSettings,
  ) {}

  async run(req: SqlRequest, node: string, channel: string, timeoutMs: number): Promise<DriverOutcome> {
    const key = `${node}\u0000${channel}`;
    let conn = this.conns.get(key);
    if (!conn) {
      const addr = this.address(node);
      if (!addr) return { kind: 'unsent', error: 'node has no published port (not running)' };
      try {
        conn = await (this.settings.driver === 'postgres' ? openPg : openMysql)(addr, this.settings, timeoutMs);
      } catch (e) {
        return classifySqlError(this.settings.driver, e, false);
      }
      this.conns.set(key, conn);
    }
    let r: { rows: Record<string, unknown>[]; fields: string[] };
    try {
      r = await conn.query(req, timeoutMs);
    } catch (e) {
      const out = classifySqlError(this.settings.driver, e, true);
      // Anything but a refusal may have left the connection unusable: open a fresh one next time.
      if (out.kind !== 'refused') {
        conn.close();
        this.conns.delete(key);
      }
      return out;
    }
    const col = req.column ?? r.fields[0];
    const rows = col === undefined ? [] : r.rows.map((row) => String(row[col] ?? ''));
    const text = r.rows.map((row) => Object.values(row).map(String).join('\t')).join('\n');
    if (req.match !== undefined && !new RegExp(req.match).test(text)) {
      return { kind: 'mismatch', output: text, detail: `result does not match /${req.match}/` };
    }
    return { kind: 'success', output: text, rows };
  }

  forget(node: string): void {
    for (const [k, c] of this.conns) {
      if (k.startsWith(`${node}\u0000`)) {
        c.close();
        this.conns.delete(k);
      }
    }
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
