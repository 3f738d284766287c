// The fault manager journals, applies, and heals on its own deadline: a heal that never
// finishes (a hung engine call) is journaled as failed, and the run can go on to heal the
// rest and tear down instead of hanging with it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monotonicClock } from '../../src/core/clock.js';
import { seededRng } from '../../src/core/random.js';
import { FaultManager } from '../../src/faults/fault-manager.js';
import { FaultJournal, readJournal } from '../../src/faults/journal.js';
import type { Target } from '../../src/targets/target.js';
import { FakeLifecycle } from './fake-lifecycle.js';

/** A lifecycle whose unpause never answers (the heal of a pause hangs). */
class HangingUnpause extends FakeLifecycle {
  override async unpause(n: string): Promise<void> {
    this.calls.push(`unpause ${n}`);
    await new Promise(() => undefined);
  }
}

function manager(l: FakeLifecycle, healTimeoutMs: number) {
  const journal = new FaultJournal(join(mkdtempSync(join(tmpdir(), 'drill-fm-')), 'faults.jsonl'));
  const target = Object.assign(l, { nodeNames: ['n1', 'n2', 'n3'], leader: async () => 'n1' }) as unknown as Target;
  const fm = new FaultManager(target, monotonicClock(), journal, 'r1', seededRng(1), {}, { healTimeoutMs });
  return { fm, journal };
}

describe('fault manager', () => {
  it('gives up on a heal that never finishes after its deadline, journals it, and heals the others', async () => {
    const l = new HangingUnpause(['n1', 'n2', 'n3']);
    const { fm, journal } = manager(l, 200);
    await fm.apply({ kind: 'pause', name: 'frozen', node: 'n2' });
    await fm.apply({ kind: 'kill', name: 'down', node: 'n3', signal: 'SIGKILL' });
    const healing = fm.healAll();
    await expect(healing).rejects.toThrow(/heal of frozen did not finish within 200 ms/);
    expect(fm.activeNames()).toEqual([]);
    expect(l.calls).toContain('unpause n2');
    expect(l.calls).toContain('start n3'); // the other fault was healed regardless
    const events = readJournal(journal.path).filter((e) => e.event.startsWith('heal'));
    expect(events).toContainEqual(expect.objectContaining({ event: 'heal-failed', id: 'frozen' }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'healed', id: 'down' }));
    expect(fm.records.find((r) => r.id === 'frozen')?.healed_s).toBeNull();
  });

  it('heals within the deadline as before: journaled, the record stamped', async () => {
    const l = new FakeLifecycle(['n1', 'n2', 'n3']);
    const { fm, journal } = manager(l, 5_000);
    await fm.apply({ kind: 'pause', name: 'p', target: 'primary' });
    await fm.heal('p');
    expect(l.calls).toEqual(['pause n1', 'unpause n1']);
    expect(fm.records[0]?.healed_s).not.toBeNull();
    expect(readJournal(journal.path).map((e) => e.event)).toEqual(['apply', 'confirmed', 'heal', 'healed']);
  });
});
