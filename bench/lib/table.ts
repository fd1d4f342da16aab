/** The bench's one table: Markdown, so the README can take it as it is. */
export class Table {
  readonly #header: string[];
  readonly #rows: string[][] = [];

  constructor(header: string[]) {
    this.#header = header;
  }

  row(...cells: string[]): void {
    this.#rows.push(cells);
  }

  render(): string {
    const widths = this.#header.map((h, i) => Math.max(h.length, ...this.#rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    return [line(this.#header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...this.#rows.map(line)].join('\n');
  }
}
