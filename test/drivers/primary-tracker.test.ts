import { describe, expect, it } from 'vitest';
import { PrimaryTracker } from '../../src/drivers/primary-tracker.js';

describe('PrimaryTracker', () => {
  it('answers from its cache while fresh, looks again when stale or suspected, shares one lookup', async () => {
    let now = 0;
    let lookups = 0;
    let answer: string | null = 'n1';
    const t = new PrimaryTracker({ lookup: async () => (lookups++, answer), refreshMs: 500, now: () => now });
    expect(await t.primary()).toBe('n1');
    expect(await t.primary()).toBe('n1');
    expect(lookups).toBe(1);
    answer = 'n2';
    now = 499;
    expect(await t.primary()).toBe('n1'); // still fresh
    now = 500;
    expect(await t.primary()).toBe('n2'); // stale: looked again
    answer = 'n3';
    t.suspect('n1'); // not the believed primary: nothing happens
    expect(lookups).toBe(2);
    t.suspect('n2');
    await Promise.all([t.refresh(), t.refresh()]);
    expect(lookups).toBe(3);
    expect(t.peek()).toBe('n3');
  });

  it('a failing lookup means no primary, not a crash', async () => {
    const t = new PrimaryTracker({
      lookup: async () => {
        throw new Error('probe failed');
      },
    });
    expect(await t.primary()).toBeNull();
  });
});
