// A game-day session around one drill (`drill run --live`): the live page's server, the
// terminal keys, and the bridge from both to the run's mark board. The drill hands over
// getters for its state; the session never changes the drill, it only reads it and adds marks.

import type { HistoryEvent } from '../client/history.js';
import type { LeaderObservation } from '../checkers/leader-phases.js';
import type { Clock } from '../core/clock.js';
import type { FaultRecord, StepRecord } from '../core/result.js';
import type { MarkBoard } from '../run/marks.js';
import { listenForMarkKeys, type KeyMarks } from './keys.js';
import { LiveServer } from './server.js';
import { buildLiveSnapshot } from './view.js';

export interface LiveOptions {
  /** 0 or absent: any free port. */
  port?: number | undefined;
  /** Who makes the marks from this terminal and, by default, from the page. */
  operator: string;
  /** Told the page's address once it listens. */
  onUrl?: (url: string) => void;
  /** Marks from keys in the terminal (when stdin is one). Default true. */
  keys?: boolean;
}

export interface LiveState {
  clock: Clock;
  scenario: { name: string };
  runId: string;
  nodes: readonly string[];
  phase(): string;
  steps(): readonly StepRecord[];
  faults(): readonly FaultRecord[];
  active(): readonly string[];
  events(): readonly HistoryEvent[];
  leaders(): readonly LeaderObservation[];
  rtoLimitS?: number | undefined;
  marks: MarkBoard;
  /** Lines for the terminal (key help, marks made). */
  echo(line: string): void;
}

export class LiveSession {
  private verdict: string | undefined;
  private keys: KeyMarks | null = null;
  private readonly server: LiveServer;

  constructor(
    private readonly s: LiveState,
    private readonly o: LiveOptions,
  ) {
    this.server = new LiveServer(
      {
        snapshot: () =>
          buildLiveSnapshot({
            scenario: s.scenario,
            runId: s.runId,
            nodes: s.nodes,
            nowS: s.clock.now() / 1000,
            phase: s.phase(),
            steps: s.steps(),
            faults: s.faults(),
            active: s.active(),
            events: s.events(),
            leaders: s.leaders(),
            marks: s.marks.marks,
            rtoLimitS: s.rtoLimitS,
            verdict: this.verdict,
          }),
        mark: (kind, label, operator) => {
          const m = s.marks.add(kind, label, 'live', operator);
          const what = `${kind}${label !== kind ? ` "${label}"` : ''}`;
          s.echo(`mark from the live page: ${what} by ${operator ?? '?'} at +${m.t_s.toFixed(2)} s`);
          return m;
        },
        onMark: (fn) => s.marks.subscribe(fn),
      },
      { port: o.port ?? 0, operator: o.operator },
    );
  }

  async start(): Promise<string> {
    const url = await this.server.start();
    this.o.onUrl?.(url);
    if (this.o.keys !== false) {
      this.keys = listenForMarkKeys((kind, label) => {
        const m = this.s.marks.add(kind, label, 'terminal', this.o.operator);
        this.s.echo(`mark: ${kind}${label !== kind ? ` "${label}"` : ''} at +${m.t_s.toFixed(2)} s`);
      }, this.s.echo);
    }
    return url;
  }

  /** The drill is over: show its verdict on the page, then close everything. */
  async stop(verdict: string): Promise<void> {
    this.verdict = verdict;
    this.keys?.stop();
    this.keys = null;
    await this.server.stop();
  }
}
