// Marks from the terminal during a game day (`drill run --live`, stdin a terminal):
//
//   d        detected          m   mitigated
//   n        a note: type it, Enter to record (Esc to drop)
//   Ctrl-C   interrupt the drill (heals and tears down), as always
//
// Raw mode turns Ctrl-C into a plain byte, so it is sent back to this process as SIGINT.

import type { MarkKind } from '../core/result.js';

export interface KeyMarks {
  stop(): void;
}

export function listenForMarkKeys(
  mark: (kind: MarkKind, label: string) => void,
  echo: (line: string) => void,
  input: NodeJS.ReadStream = process.stdin,
): KeyMarks | null {
  if (!input.isTTY) return null;
  let note: string | null = null;
  const onData = (buf: Buffer) => {
    for (const ch of buf.toString('utf8')) {
      if (ch === '\u0003') {
        process.kill(process.pid, 'SIGINT');
        continue;
      }
      if (note !== null) {
        if (ch === '\r' || ch === '\n') {
          if (note.trim() !== '') mark('note', note.trim());
          note = null;
        } else if (ch === '\u001b') {
          note = null;
          echo('note dropped');
        } else if (ch === '\u007f') note = note.slice(0, -1);
        else note += ch;
        continue;
      }
      if (ch === 'd') mark('detected', 'detected');
      else if (ch === 'm') mark('mitigated', 'mitigated');
      else if (ch === 'n') {
        note = '';
        echo('note: type it and press Enter (Esc drops it)');
      }
    }
  };
  input.setRawMode(true);
  input.resume();
  input.on('data', onData);
  echo('keys: d = detected, m = mitigated, n = note, Ctrl-C = stop the drill');
  return {
    stop() {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    },
  };
}
