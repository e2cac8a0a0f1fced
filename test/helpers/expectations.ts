/**
 * Inline expectation markers in Python fixtures.
 *
 *   time.sleep(1)            # AIO101           a finding with this code starts on this line
 *   requests.get(u)          # AIO102:5         ... at 1-based column 5
 *   x = fetch()              # AIO202 "fetch"   ... whose message contains "fetch"
 *   f(a(), b())              # AIO201 # AIO201  several findings on one line
 *
 * Matching is exhaustive both ways: every finding needs a marker, every marker a
 * finding. A header line `# select: AIO1, AIO3` limits the rules run on the file; a header
 * `# options: {"extraBlockingCalls": {...}}` passes further analysis options (as JSON).
 * Markers are read from comments only, so `# noqa: AIO101` is never a marker.
 */
import type { AnalyzeOptions, Finding } from '../../server/src/core/types';

export interface Expectation {
  line: number; // 1-based
  code: string;
  column?: number; // 1-based
  contains?: string;
}

const MARKER = /#\s*(AIO\d{3})(?::(\d+))?(?:\s+"([^"]*)")?/g;

export function parseExpectations(source: string): { expectations: Expectation[]; select?: string[]; options: AnalyzeOptions } {
  const expectations: Expectation[] = [];
  let select: string[] | undefined;
  let options: AnalyzeOptions = {};
  source.split(/\r?\n/).forEach((text, index) => {
    const header = /^#\s*select:\s*(.+)$/.exec(text.trim());
    if (header) {
      select = header[1]!.split(',').map((s) => s.trim()).filter(Boolean);
      return;
    }
    const optionsHeader = /^#\s*options:\s*(\{.*\})\s*$/.exec(text.trim());
    if (optionsHeader) {
      options = JSON.parse(optionsHeader[1]!) as AnalyzeOptions;
      return;
    }
    const hash = commentStart(text);
    if (hash < 0) return;
    const comment = text.slice(hash);
    for (const m of comment.matchAll(MARKER)) {
      if (/noqa\s*:?\s*$/i.test(comment.slice(0, m.index).trim().replace(/#\s*$/, ''))) continue;
      expectations.push({
        line: index + 1,
        code: m[1]!,
        column: m[2] ? Number(m[2]) : undefined,
        contains: m[3],
      });
    }
  });
  return { expectations, select, options };
}

/** Index of the `#` that starts a comment on this line, ignoring `#` inside string literals. */
function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (line.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
    } else if (ch === '#') {
      return i;
    } else if (ch === '"' || ch === "'") {
      quote = line.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      i += quote.length - 1;
    }
  }
  return -1;
}

/** Problems, as readable lines; empty when findings and markers agree. */
export function compareExpectations(file: string, expectations: Expectation[], findings: Finding[]): string[] {
  const problems: string[] = [];
  const unmatched = [...findings];
  for (const e of expectations) {
    const i = unmatched.findIndex(
      (f) =>
        f.code === e.code &&
        f.range.start.line + 1 === e.line &&
        (e.column === undefined || f.range.start.character + 1 === e.column) &&
        (e.contains === undefined || f.message.includes(e.contains)),
    );
    if (i >= 0) unmatched.splice(i, 1);
    else {
      const near = findings.filter((f) => f.range.start.line + 1 === e.line).map((f) => `${f.code}:${f.range.start.character + 1}`);
      problems.push(`${file}:${e.line}: expected ${e.code}${e.column ? `:${e.column}` : ''}${e.contains ? ` "${e.contains}"` : ''}, got ${near.length ? near.join(', ') : 'nothing'}`);
    }
  }
  for (const f of unmatched) {
    problems.push(`${file}:${f.range.start.line + 1}:${f.range.start.character + 1}: unexpected ${f.code} ${JSON.stringify(f.message)}`);
  }
  return problems;
}
