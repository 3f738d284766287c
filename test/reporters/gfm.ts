// GitHub-flavoured Markdown tables, parsed strictly enough to say "this renders as a table":
// a header row, a delimiter row with one cell per column, and body rows of that width.
export interface GfmTable {
  head: string[];
  rows: string[][];
}

function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

export function gfmTables(md: string): GfmTable[] {
  const lines = md.split('\n');
  const out: GfmTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|')) continue;
    const block: string[] = [];
    while (i < lines.length && lines[i]!.startsWith('|')) block.push(lines[i++]!);
    const [head, delim, ...body] = block;
    const width = cells(head!).length;
    const d = cells(delim ?? '');
    if (d.length !== width || !d.every((c) => /^:?-{3,}:?$/.test(c)))
      throw new Error(`not a table: delimiter row ${JSON.stringify(delim)} for ${width} columns`);
    // A table must start after a blank line (or at the top), else GitHub reads it as text.
    const before = lines[i - block.length - 1];
    if (before !== undefined && before.trim() !== '') throw new Error(`table without a blank line before: ${head}`);
    const rows = body.map(cells);
    const bad = rows.find((r) => r.length !== width);
    if (bad) throw new Error(`row of ${bad.length} cells in a table of ${width}: ${bad.join(' | ')}`);
    out.push({ head: cells(head!), rows });
  }
  return out;
}
