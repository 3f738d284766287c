// One line per notable event: `<ISO time> <node> <event> key=value ...`.

export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Logger = (event: string, fields?: LogFields) => void;

function fmt(value: string | number | boolean | null): string {
  const s = String(value);
  return s === '' || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function formatLine(node: string, event: string, fields: LogFields = {}, now = new Date()): string {
  const parts = [now.toISOString(), node, event];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    parts.push(`${k}=${fmt(v)}`);
  }
  return parts.join(' ');
}

export function makeLogger(
  node: string,
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Logger {
  return (event, fields) => write(formatLine(node, event, fields));
}

export const silentLogger: Logger = () => {};
