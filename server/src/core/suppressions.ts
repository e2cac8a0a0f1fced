/**
 * Suppression comments, and the fixes that write them.
 *
 * - `# noqa` at the end of a line silences every finding starting on that line;
 *   `# noqa: AIO101, AIO2` only the listed codes (or code prefixes).
 * - `# async-pitfalls: noqa` on a line of its own silences the whole file;
 *   `# async-pitfalls: noqa: AIO106` only the listed codes.
 * - The codes of Ruff and flake8-async for the same pitfalls (`# noqa: ASYNC251`,
 *   `RUF006`) count as ours, so suppressions written for those tools keep working.
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from './fix';
import type { Finding } from './types';

const LINE_NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?/i;
const FILE_NOQA = /^#\s*async-pitfalls:\s*noqa(?::\s*([A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?\s*$/i;

/** Peer codes (Ruff's ASYNC/RUF rules, flake8-async) and the rules of ours that flag the same thing. */
export const PEER_CODES: Readonly<Record<string, readonly string[]>> = {
  ASYNC100: ['AIO403'],
  ASYNC102: ['AIO401'],
  ASYNC103: ['AIO401'],
  ASYNC104: ['AIO401', 'AIO402'],
  ASYNC105: ['AIO201'],
  ASYNC110: ['AIO503'],
  ASYNC112: ['AIO502'],
  ASYNC119: ['AIO501'],
  ASYNC121: ['AIO501'],
  ASYNC210: ['AIO102'],
  ASYNC211: ['AIO102'],
  ASYNC212: ['AIO102'],
  ASYNC220: ['AIO103'],
  ASYNC221: ['AIO103'],
  ASYNC222: ['AIO104'],
  ASYNC230: ['AIO105'],
  ASYNC231: ['AIO105'],
  ASYNC232: ['AIO105'],
  ASYNC233: ['AIO105', 'AIO106'],
  ASYNC240: ['AIO106'],
  ASYNC250: ['AIO107'],
  ASYNC251: ['AIO101'],
  ASYNC300: ['AIO301', 'AIO302'],
  RUF006: ['AIO301', 'AIO302'],
  RUF029: ['AIO708'],
};

/** The codes as written in the comment (kept when a fix adds a code to it). */
function writtenCodes(group: string | undefined): string[] | 'all' {
  const codes = group?.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  return codes && codes.length > 0 ? codes : 'all';
}

/** The codes of ours the comment silences. */
function codeList(group: string | undefined): string[] | 'all' {
  const codes = writtenCodes(group);
  if (codes === 'all') return 'all';
  return codes.flatMap((c) => {
    if (c.startsWith('AIO')) return [c];
    // A bare peer prefix (`ASYNC`, `ASYNC2`) stands for every peer code it covers.
    return Object.entries(PEER_CODES).flatMap(([peer, ours]) => (peer.startsWith(c) ? ours : []));
  });
}

export class Suppressions {
  private readonly byLine = new Map<number, string[] | 'all'>();
  private file: string[] | 'all' | undefined;
  /** The file-level comment, to extend it rather than add a second one. */
  fileComment: { line: number; character: number; length: number; codes: string[] | 'all' } | undefined;
  /** Line-level comments by line, to merge codes into them. */
  readonly lineComments = new Map<number, { character: number; length: number; codes: string[] | 'all' }>();

  addComment(line: number, text: string, character = 0): void {
    const file = FILE_NOQA.exec(text.trim());
    if (file) {
      const codes = codeList(file[1]);
      this.file = this.file === 'all' || codes === 'all' ? 'all' : [...(this.file ?? []), ...codes];
      this.fileComment ??= { line, character, length: text.length, codes: writtenCodes(file[1]) };
      return;
    }
    const match = LINE_NOQA.exec(text);
    if (!match) return;
    const codes = codeList(match[1]);
    this.byLine.set(line, codes);
    this.lineComments.set(line, { character, length: text.length, codes: writtenCodes(match[1]) });
  }

  isSuppressed(line: number, code: string): boolean {
    const matches = (entry: string[] | 'all' | undefined) => !!entry && (entry === 'all' || entry.some((c) => code.startsWith(c)));
    return matches(this.file) || matches(this.byLine.get(line));
  }
}

/** "Ignore on this line" and "ignore in this file" for one finding. */
export function suppressionFixes(finding: Finding, lines: readonly string[], suppressions: Suppressions, root: Node): Fix[] {
  const fixes: Fix[] = [];
  const line = finding.range.start.line;
  const text = lines[line] ?? '';
  const existing = suppressions.lineComments.get(line);
  if (existing && existing.codes !== 'all') {
    const codes = [...new Set([...existing.codes, finding.code])].join(', ');
    fixes.push({
      title: `Ignore ${finding.code} on this line`,
      edits: [{ range: { start: { line, character: existing.character }, end: { line, character: existing.character + existing.length } }, newText: `# noqa: ${codes}` }],
      safe: false,
    });
  } else if (!existing && !lineEndsInsideString(root, line, text.length)) {
    // trimEnd, not /\s+$/: the regex is quadratic on a line padded with 200,000 spaces.
    const end = text.trimEnd().length;
    fixes.push({
      title: `Ignore ${finding.code} on this line`,
      edits: [{ range: { start: { line, character: end }, end: { line, character: text.length } }, newText: `  # noqa: ${finding.code}` }],
      safe: false,
    });
  }
  const file = suppressions.fileComment;
  if (file && file.codes !== 'all') {
    const codes = [...new Set([...file.codes, finding.code])].join(', ');
    fixes.push({
      title: `Ignore ${finding.code} in this file`,
      edits: [{ range: { start: { line: file.line, character: file.character }, end: { line: file.line, character: file.character + file.length } }, newText: `# async-pitfalls: noqa: ${codes}` }],
      safe: false,
    });
  } else if (!file) {
    // After a shebang or an encoding line, which must stay first.
    let at = 0;
    while (at < 2 && /^#(!|.*coding[:=])/.test(lines[at] ?? '')) at++;
    fixes.push({
      title: `Ignore ${finding.code} in this file`,
      edits: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: `# async-pitfalls: noqa: ${finding.code}\n` }],
      safe: false,
    });
  }
  return fixes;
}

/** A comment appended at the end of this line would land inside a multi-line string. */
function lineEndsInsideString(root: Node, line: number, length: number): boolean {
  if (length === 0) return false;
  const node = root.descendantForPosition({ row: line, column: length - 1 });
  for (let n: Node | null = node; n; n = n.parent) {
    if (n.type === 'string' || n.type === 'concatenated_string') return n.endPosition.row > line;
    if (n.type.endsWith('statement') || n.type === 'module') return false;
  }
  return false;
}
