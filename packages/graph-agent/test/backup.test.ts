// Backup repository, in process: chunking, dedup, manifest last, resume, verify, chains,
// point-in-time restore, consistent cut vs the fuzzy and mtime flaws.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupEngine, DEFAULT_BACKUP_SETTINGS, type BackupSettings, type BackupSource } from '../src/backup/engine.js';
import { Repository } from '../src/backup/repository.js';
import { loadBatches, planRestore } from '../src/backup/restore-plan.js';
import { verifyRepository } from '../src/backup/verify.js';
import { chunkKey, manifestKey, sealManifest, sha256, type Manifest } from '../src/backup/manifest.js';
import { FsStorage, type BackupStorage } from '../src/backup/storage.js';
import { Graph, type Command } from '../src/graph.js';

/** A node without Raft: a log of commands applied in order. */
class FakeNode implements BackupSource {
  readonly nodeId = 'n1';
  readonly peers = ['n2', 'n3'];
  g = new Graph();
  log: { term: number; json: string; cmd: Command }[] = [];
  clock = 1_000_000;
  constructor() {
    this.g.now = () => this.clock;
  }
  graph() {
    return this.g;
  }
  lastApplied() {
    return this.log.length;
  }
  entryAt(i: number) {
    return this.log[i - 1];
  }
  role() {
    return 'leader';
  }
  term() {
    return 1;
  }
  leaderId() {
    return 'n1';
  }
  write(cmd: Command): number {
    const e = { term: 1, cmd, json: JSON.stringify({ term: 1, cmd }) };
    this.log.push(e);
    this.g.apply(cmd);
    this.clock += 10;
    return this.log.length;
  }
  vertices(n: number, prefix = 'v'): void {
    const start = this.g.count().vertices;
    for (let i = 0; i < n; i++)
      this.write({ op: 'vertex', id: `${prefix}${start + i}`, label: 'x', properties: { pad: 'p'.repeat(40) } });
  }
}

function setup(settings: Partial<BackupSettings> = {}, storage?: BackupStorage) {
  const dir = mkdtempSync(join(tmpdir(), 'drill-backup-'));
  const node = new FakeNode();
  const st = storage ?? new FsStorage(dir);
  const engine = new BackupEngine(
    st,
    node,
    { ...DEFAULT_BACKUP_SETTINGS, chunkBytes: 4096, ...settings },
    () => node.clock,
  );
  return { dir, node, engine, repo: new Repository(st) };
}

function chunkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, 'chunks')))
    for (const f of readdirSync(join(dir, 'chunks', d))) out.push(join(dir, 'chunks', d, f));
  return out;
}

describe('backup: full snapshots', () => {
  it('chunks the state by content (SHA-256), dedups across snapshots, restores the same checksum', async () => {
    const { dir, node, engine, repo } = setup();
    node.vertices(500);
    node.write({ op: 'edge', id: 'e1', from: 'v1', to: 'v2', type: 't', properties: {} });
    const a = await engine.backup({ type: 'full' });
    expect(a.manifest.chunks.length).toBeGreaterThan(5);
    expect(a.chunks_written).toBe(a.manifest.chunks.length);
    expect(a.manifest.position).toBe(501);
    expect(a.manifest.checksum).toBe(node.g.checksum());
    node.vertices(10);
    const b = await engine.backup({ type: 'full' });
    // append-only graph + deterministic boundaries: only the tail chunks are new
    expect(b.chunks_skipped).toBeGreaterThanOrEqual(a.manifest.chunks.length - 2);
    expect(b.chunks_written).toBeLessThanOrEqual(3);
    expect(chunkFiles(dir).length).toBe(
      new Set([...a.manifest.chunks, ...b.manifest.chunks].map((c) => c.sha256)).size,
    );
    const plan = await planRestore(repo, { id: b.manifest.id });
    expect(plan.checksum).toBe(node.g.checksum());
    expect(plan.state.count()).toEqual({ vertices: 510, edges: 1 });
  });

  it('a crash mid-backup leaves no manifest; the retry resumes the same snapshot, skipping stored chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-backup-'));
    const fs = new FsStorage(dir);
    let chunkPuts = 0;
    const crashing: BackupStorage = {
      location: dir,
      putAtomic: async (k, d) => {
        if (k.startsWith('chunks/') && ++chunkPuts > 4) throw Object.assign(new Error('killed'), { code: 'EIO' });
        return fs.putAtomic(k, d);
      },
      get: (k) => fs.get(k),
      exists: (k) => fs.exists(k),
      list: (p) => fs.list(p),
      delete: (k) => fs.delete(k),
    };
    const node = new FakeNode();
    node.vertices(600);
    const settings = { ...DEFAULT_BACKUP_SETTINGS, chunkBytes: 4096 };
    await expect(new BackupEngine(crashing, node, settings).backup({ type: 'full' })).rejects.toThrow(/unavailable/);
    expect(await fs.list('manifests/')).toEqual([]);
    expect((await fs.list('progress/')).length).toBe(1);
    node.vertices(50); // writes go on; the resumed snapshot keeps its cut
    const r = await new BackupEngine(fs, node, settings).backup({ type: 'full' });
    expect(r.resumed).toBe(true);
    expect(r.chunks_resumed).toBe(4);
    expect(r.manifest.position).toBe(600);
    expect(await fs.list('progress/')).toEqual([]);
    const plan = await planRestore(new Repository(fs), {});
    expect(plan.state.count().vertices).toBe(600);
  });

  it('an unwritable repository fails the backup naming the cause', async () => {
    const { dir, node, engine } = setup();
    node.vertices(10);
    await engine.backup({ type: 'full' });
    if (process.getuid?.() === 0) {
      // root ignores permissions: simulate EROFS at the storage layer
      const ro: BackupStorage = {
        ...new FsStorage(dir),
        location: dir,
        putAtomic: async () => {
          throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
        },
        get: (k) => new FsStorage(dir).get(k),
        exists: (k) => new FsStorage(dir).exists(k),
        list: (p) => new FsStorage(dir).list(p),
        delete: async () => {},
      };
      node.vertices(100);
      await expect(new BackupEngine(ro, node, DEFAULT_BACKUP_SETTINGS).backup({ type: 'full' })).rejects.toMatchObject({
        status: 507,
        code: 'repository_unwritable',
        message: expect.stringMatching(/EROFS/),
      });
    } else {
      chmodSync(join(dir, 'chunks'), 0o500);
      node.vertices(100);
      await expect(engine.backup({ type: 'full' })).rejects.toMatchObject({
        status: 507,
        message: expect.stringMatching(/EACCES/),
      });
    }
  });
});

describe('verify and refusal', () => {
  it('a flipped byte in a chunk is found, named, and the restore is refused', async () => {
    const { dir, node, engine, repo } = setup();
    node.vertices(300);
    const a = await engine.backup({ type: 'full' });
    const bad = a.manifest.chunks[2]!.sha256;
    const path = join(dir, chunkKey(bad));
    const buf = readFileSync(path);
    buf[Math.floor(buf.length / 2)] ^= 0x01;
    writeFileSync(path, buf);
    const v = await verifyRepository(repo);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatchObject({ kind: 'chunk_corrupt', chunk: bad, snapshot: a.manifest.id });
    await expect(planRestore(repo, {})).rejects.toMatchObject({
      status: 422,
      code: 'corrupt_backup',
      message: expect.stringContaining(bad),
    });
  });

  it('a broken chain link is named', async () => {
    const { dir, node, engine, repo } = setup();
    node.vertices(50);
    const full = await engine.backup({ type: 'full' });
    node.vertices(20);
    const inc = await engine.backup({ type: 'incremental' });
    expect(inc.manifest.type).toBe('incremental');
    expect(inc.manifest.parent).toBe(full.manifest.id);
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, manifestKey(full.manifest.id)));
    const v = await verifyRepository(repo);
    expect(v.problem).toMatchObject({ kind: 'link_broken', snapshot: inc.manifest.id });
    expect(v.problem!.message).toContain(full.manifest.id);
    await expect(planRestore(repo, { id: inc.manifest.id })).rejects.toMatchObject({ code: 'corrupt_backup' });
  });
});

describe('restore: the same state however it is hashed and whatever layout its lines have', () => {
  const readManifest = (dir: string, id: string): Manifest =>
    JSON.parse(readFileSync(join(dir, manifestKey(id)), 'utf8')) as Manifest;
  const writeManifest = (dir: string, m: Omit<Manifest, 'manifest_sha256'>): void =>
    writeFileSync(join(dir, manifestKey(m.id)), JSON.stringify(sealManifest(m)));

  it('hashing in worker threads gives the same plan, and still refuses a corrupt chunk by name', async () => {
    const { dir, node, engine, repo } = setup();
    node.vertices(300);
    for (let i = 0; i < 50; i++)
      node.write({ op: 'edge', id: `e${i}`, from: `v${i}`, to: `v${i + 1}`, type: 't', properties: {} });
    const full = await engine.backup({ type: 'full' });
    node.vertices(20);
    const inc = await engine.backup({ type: 'incremental' });
    for (const id of [full.manifest.id, inc.manifest.id]) {
      const inline = await planRestore(repo, { id }, { hashWorkers: 0 });
      const threaded = await planRestore(repo, { id }, { hashWorkers: 2 });
      expect(threaded.checksum).toBe(inline.checksum);
      expect([...threaded.state.json('vertices')]).toEqual([...inline.state.json('vertices')]);
      expect([...threaded.state.json('edges')]).toEqual([...inline.state.json('edges')]);
    }
    expect((await planRestore(repo, { id: inc.manifest.id }, { hashWorkers: 2 })).checksum).toBe(node.g.checksum());
    const bad = full.manifest.chunks[1]!.sha256;
    const buf = readFileSync(join(dir, chunkKey(bad)));
    buf[3] ^= 0x01;
    writeFileSync(join(dir, chunkKey(bad)), buf);
    await expect(planRestore(repo, { id: inc.manifest.id }, { hashWorkers: 2 })).rejects.toMatchObject({
      code: 'corrupt_backup',
      message: expect.stringContaining(`chunk ${bad} of snapshot ${full.manifest.id} is corrupt`),
    });
  });

  it('a whole snapshot loads exactly its elements, in batches of any size, ASCII or not', async () => {
    const { node, engine, repo } = setup();
    node.vertices(150);
    for (let i = 0; i < 40; i++)
      node.write({ op: 'vertex', id: `ü${i}`, label: 'née', properties: { s: '😀'.repeat(i % 3) } });
    for (let i = 0; i < 60; i++)
      node.write({ op: 'edge', id: `e${i}`, from: `v${i}`, to: `ü${i % 40}`, type: 't', properties: {} });
    const full = await engine.backup({ type: 'full' });
    expect(full.manifest.chunks.length).toBeGreaterThan(3);
    const plan = await planRestore(repo, {});
    expect(plan.checksum).toBe(node.g.checksum());
    for (const size of [1, 7, 2000]) {
      const loaded = new Graph();
      let batches = 0;
      for (const cmd of loadBatches(plan.state, size)) {
        loaded.apply(cmd);
        batches++;
      }
      expect(batches).toBe(Math.ceil(190 / size) + Math.ceil(60 / size));
      expect(loaded.checksum()).toBe(node.g.checksum());
      expect([...loaded.json('vertices')]).toEqual([...node.g.json('vertices')]);
    }
  });

  it('chunks hold the lines as they are, however long; big chunks load in batches across decode pieces', async () => {
    const { dir, node, engine, repo } = setup({ chunkBytes: 64 * 1024 });
    node.vertices(2000);
    // Longer than a chunk and its slack: the chunk buffer grows; astral and accented text: UTF-8.
    node.write({ op: 'vertex', id: 'big', label: 'x', properties: { s: 'é😀'.repeat(60_000) } });
    node.vertices(700, 'w');
    const full = await engine.backup({ type: 'full' });
    const text = full.manifest.chunks.map((c) => readFileSync(join(dir, chunkKey(c.sha256)), 'utf8')).join('');
    expect(text).toBe([...node.g.json('vertices')].map((l) => l + '\n').join(''));
    expect(full.manifest.chunks.every((c) => c.sha256 === sha256(readFileSync(join(dir, chunkKey(c.sha256)))))).toBe(
      true,
    );
    const plan = await planRestore(repo, {}, { hashWorkers: 0 });
    expect(plan.checksum).toBe(node.g.checksum());
    for (const size of [513, 2000]) {
      const loaded = new Graph();
      for (const cmd of loadBatches(plan.state, size)) loaded.apply(cmd);
      expect([...loaded.json('vertices')]).toEqual([...node.g.json('vertices')]);
    }
  });

  it('a snapshot written before canonical lines (any key order) restores to the same checksum', async () => {
    const { dir, node, engine, repo } = setup();
    for (let i = 0; i < 100; i++)
      node.write({ op: 'vertex', id: `v${i}`, label: 'x', properties: { z: i, a: { y: 1, b: [i] } } });
    node.write({ op: 'edge', id: 'e1', from: 'v1', to: 'v2', type: 't', properties: { k: 'v' } });
    const full = await engine.backup({ type: 'full' });
    // Rewrite it as the older engine wrote it: JSON.stringify of the stored object, keys in
    // insertion order, and no element_json in the manifest.
    const m = readManifest(dir, full.manifest.id);
    const chunks = m.chunks.map((c) => {
      const lines = readFileSync(join(dir, chunkKey(c.sha256)), 'utf8')
        .slice(0, -1)
        .split('\n');
      const old = lines.map((l) => {
        const el = JSON.parse(l) as Record<string, unknown>;
        const props = Object.fromEntries(Object.entries(el.properties as object).reverse());
        return c.kind === 'vertices'
          ? JSON.stringify({ id: el.id, label: el.label, properties: props })
          : JSON.stringify({ id: el.id, from: el.from, to: el.to, type: el.type, properties: props });
      });
      const data = Buffer.from(old.join('\n') + '\n');
      const sha = sha256(data);
      mkdirSync(join(dir, 'chunks', sha.slice(0, 2)), { recursive: true });
      writeFileSync(join(dir, chunkKey(sha)), data);
      return { ...c, sha256: sha, bytes: data.length };
    });
    const { manifest_sha256: _, ...rest } = m;
    const { element_json: __, ...method } = m.method;
    writeManifest(dir, { ...rest, method, chunks });
    const plan = await planRestore(repo, { id: m.id });
    expect(plan.checksum).toBe(node.g.checksum());
    expect(plan.state.count()).toEqual({ vertices: 100, edges: 1 });
  });

  it('a full snapshot whose lines do not add up to its manifest checksum is refused', async () => {
    const { dir, node, engine, repo } = setup();
    node.vertices(100);
    const full = await engine.backup({ type: 'full' });
    const { manifest_sha256: _, ...m } = readManifest(dir, full.manifest.id);
    writeManifest(dir, { ...m, checksum: 'f'.repeat(64) });
    await expect(planRestore(repo, {})).rejects.toMatchObject({
      code: 'corrupt_backup',
      message: expect.stringMatching(/has checksum [0-9a-f]{64}, its manifest says f{64}; nothing restored/),
    });
  });
});

describe('incremental chains and point in time', () => {
  it('restores a chain and any position inside it exactly; every Nth snapshot is full', async () => {
    const { node, engine, repo } = setup({ fullEvery: 3 });
    node.vertices(100);
    const f = await engine.backup({ type: 'full' });
    node.vertices(30);
    const mid = node.lastApplied() - 10;
    const sumAtMid = (() => {
      const g = new Graph();
      for (const e of node.log.slice(0, mid)) g.apply(e.cmd);
      return g.checksum();
    })();
    const i1 = await engine.backup({ type: 'incremental' });
    node.vertices(5);
    const i2 = await engine.backup({ type: 'incremental' });
    expect([i1.manifest.depth, i2.manifest.depth]).toEqual([1, 2]);
    node.vertices(5);
    const i3 = await engine.backup({ type: 'incremental' });
    expect(i3.manifest.type).toBe('full');
    expect(i3.promoted_to_full).toMatch(/depth/);
    // incremental size follows the change, not the total
    expect(i2.manifest.bytes).toBeLessThan(f.manifest.bytes / 5);
    const latest = await planRestore(repo, { id: i2.manifest.id });
    expect(latest.chain.map((m) => m.id)).toEqual([f.manifest.id, i1.manifest.id, i2.manifest.id]);
    expect(latest.state.count().vertices).toBe(135);
    const pit = await planRestore(repo, { position: mid });
    expect(pit.position).toBe(mid);
    expect(pit.checksum).toBe(sumAtMid);
    await expect(planRestore(repo, { position: node.lastApplied() + 5 })).rejects.toMatchObject({
      code: 'position_not_covered',
    });
  });

  it('incremental=mtime (flaw) misses writes made while the clock is set back; the default does not', async () => {
    for (const mode of ['log', 'mtime'] as const) {
      const { node, engine, repo } = setup({ incremental: mode });
      node.vertices(20);
      await engine.backup({ type: 'full' });
      node.clock -= 300_000; // clock skew: set back 5 minutes
      node.vertices(15, 'late');
      const inc = await engine.backup({ type: 'incremental' });
      const plan = await planRestore(repo, { id: inc.manifest.id });
      expect(plan.position).toBe(35);
      if (mode === 'log') expect(plan.state.count().vertices).toBe(35);
      else expect(plan.state.count().vertices).toBe(20); // position 35 claimed, 15 acknowledged writes missing
    }
  });
});

describe('consistent cut under concurrent writes', () => {
  it('consistent: exactly the state at its position; fuzzy (flaw): its position claims missing writes', async () => {
    for (const mode of ['consistent', 'fuzzy'] as const) {
      const { node, engine, repo } = setup({ snapshot: mode, chunkBytes: 1024 });
      node.vertices(400);
      let writing = true;
      // Paced (a few thousand writes a second): an unpaced writer outgrows the backup on a
      // loaded machine, and the longer the backup the more there is to copy and check.
      const writer = (async () => {
        while (writing) {
          node.vertices(3, `w${node.lastApplied()}-`);
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const b = await engine.backup({ type: 'full' });
      writing = false;
      await writer;
      const plan = await planRestore(repo, { id: b.manifest.id });
      const truth = new Graph();
      for (const e of node.log.slice(0, b.manifest.position)) truth.apply(e.cmd);
      if (mode === 'consistent') {
        expect(plan.checksum).toBe(truth.checksum());
        expect(plan.state.count()).toEqual(truth.count());
      } else {
        expect(plan.state.count().vertices).toBeLessThan(truth.count().vertices);
      }
    }
  });
});
