import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/reporters/progress.js';

describe('progress on a narrow terminal', () => {
  it('cuts the redrawn status line to the width, so that a wrapped line never leaves copies behind', () => {
    const out: string[] = [];
    const p = createProgress({ tty: true, write: (s) => out.push(s), now: () => 0, columns: () => 40 });
    p.update({
      phase: 'step 4/8: await recovered (timeout 15s)',
      elapsedS: 11.3,
      opsPerS: 200,
      errorRate: 0.635,
      leader: 'n1',
      activeFaults: ['primary-kill:kill(n3)'],
    });
    const line = out.at(-1)!.replace('\r\x1b[2K', '');
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line).toMatch(/^\[ {2}11\.3s\] phase=step 4\/8.*…$/);
    // events above the status line are printed whole
    p.event('fault primary-kill kill on n3 in effect after 117 ms (docker kill --signal SIGKILL)');
    expect(out.join('')).toContain('in effect after 117 ms (docker kill --signal SIGKILL)\n');
  });
});
