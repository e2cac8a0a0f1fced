/**
 * `# noqa` comments: a bare `# noqa` silences every finding on its line,
 * `# noqa: AIO101, AIO2` only the listed codes (or code prefixes).
 */
const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?/i;

export class Suppressions {
  private readonly byLine = new Map<number, string[] | 'all'>();

  addComment(line: number, text: string): void {
    const match = NOQA.exec(text);
    if (!match) return;
    const codes = match[1]?.split(',').map((c) => c.trim().toUpperCase());
    this.byLine.set(line, codes && codes.length > 0 ? codes : 'all');
  }

  isSuppressed(line: number, code: string): boolean {
    const entry = this.byLine.get(line);
    if (!entry) return false;
    return entry === 'all' || entry.some((c) => code.startsWith(c));
  }
}
