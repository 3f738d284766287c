// The engine's event stream for some containers (GET /events, filtered by container and
// action): a container's death or OOM kill arrives here within milliseconds of the engine
// handling it, with no polling. The caller stamps each event on its own clock on arrival
// (the event's own time is the engine's wall clock, which the harness never uses).
import { docker } from './engine.js';

export interface EventWatch {
  /** Stop watching (idempotent). */
  stop(): void;
  /** Whether the stream ended or failed: events after that are not seen. */
  readonly broken: boolean;
}

/**
 * Call `on(id, action)` for each of `actions` ('die', 'oom', ...) the engine reports for one
 * of `ids` (full container ids). The stream is open when the promise resolves, so an event
 * caused after that is seen.
 */
export async function watchContainerEvents(
  ids: readonly string[],
  actions: readonly string[],
  on: (id: string, action: string) => void,
): Promise<EventWatch> {
  const stream = (await docker().getEvents({
    filters: { type: ['container'], event: [...actions], container: [...ids] },
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  let buf = '';
  let broken = false;
  let stopped = false;
  stream.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let e: { id?: string; Action?: string; status?: string; Actor?: { ID?: string } };
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        continue; // not an event line
      }
      const id = e.id ?? e.Actor?.ID;
      const action = e.Action ?? e.status;
      if (id !== undefined && action !== undefined && !stopped) on(id, action);
    }
  });
  const end = () => {
    broken = true;
  };
  stream.on('error', end);
  stream.on('end', end);
  stream.on('close', end);
  return {
    stop() {
      stopped = true;
      stream.destroy?.();
    },
    get broken() {
      return broken && !stopped;
    },
  };
}
