/**
 * Fixes: named sets of text edits attached to findings, and applying them.
 * Positions are the same 0-based line / UTF-16 character pairs as findings.
 */
import type { Range } from './types';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  /** What the code action menu shows: "Replace with `await asyncio.sleep(...)`". */
  title: string;
  edits: TextEdit[];
  /**
   * True when the fix keeps the program's meaning apart from the pitfall itself, so it may be
   * applied without review ("fix all", `--fix`, the preferred quick fix). Fixes that change
   * behaviour beyond the line (another thread, the function's callers) are not.
   */
  safe: boolean;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetAt(starts: number[], text: string, line: number, character: number): number {
  if (line >= starts.length) return text.length;
  return Math.min(starts[line]! + character, line + 1 < starts.length ? starts[line + 1]! : text.length);
}

/** Applies edits that do not overlap; returns undefined when two edits overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string | undefined {
  const starts = lineStarts(text);
  const spans = edits
    .map((e) => ({
      start: offsetAt(starts, text, e.range.start.line, e.range.start.character),
      end: offsetAt(starts, text, e.range.end.line, e.range.end.character),
      newText: e.newText,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.start < spans[i - 1]!.end) return undefined;
  }
  let result = text;
  for (let i = spans.length - 1; i >= 0; i--) {
    const { start, end, newText } = spans[i]!;
    result = result.slice(0, start) + newText + result.slice(end);
  }
  return result;
}

/**
 * Picks fixes whose edits do not overlap each other (insertions at the same point, such as two
 * `import asyncio` lines, are merged by keeping the first), and applies them.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): { text: string; applied: number } {
  const chosen: TextEdit[] = [];
  let applied = 0;
  const starts = lineStarts(text);
  const taken: Array<[number, number]> = [];
  const insertedAt = new Map<number, Set<string>>();
  for (const fix of fixes) {
    const spans = fix.edits.map((e) => ({
      edit: e,
      start: offsetAt(starts, text, e.range.start.line, e.range.start.character),
      end: offsetAt(starts, text, e.range.end.line, e.range.end.character),
    }));
    const duplicate = (s: { start: number; end: number; edit: TextEdit }) =>
      s.start === s.end && insertedAt.get(s.start)?.has(s.edit.newText);
    const fresh = spans.filter((s) => !duplicate(s));
    const clashes = fresh.some((s) => taken.some(([a, b]) => (s.start < b && s.end > a) || (s.start === s.end && s.start > a && s.start < b) || (a === b && a > s.start && a < s.end)));
    if (clashes) continue;
    for (const s of fresh) {
      chosen.push(s.edit);
      taken.push([s.start, s.end]);
      if (s.start === s.end) {
        const set = insertedAt.get(s.start) ?? new Set<string>();
        set.add(s.edit.newText);
        insertedAt.set(s.start, set);
      }
    }
    applied++;
  }
  return { text: applyEdits(text, chosen) ?? text, applied };
}
