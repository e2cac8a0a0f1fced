/**
 * A model of an editor buffer for random edit sequences: turns "replace characters [a, b) with
 * s" into LSP content changes. Written independently of vscode-languageserver-textdocument (the
 * server's own buffer), so a disagreement between the two shows up as a diagnostics mismatch.
 *
 * LSP lines end at `\n`, `\r\n` or a lone `\r`; characters are UTF-16 code units. Editors never
 * put a position inside a `\r\n` pair or a surrogate pair, so neither does this model.
 */
import fc from 'fast-check';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { insertedText } from './python';

/** Where each line starts, by the LSP definition of a line break. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

export function positionAt(text: string, offset: number, starts = lineStarts(text)): Position {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
  return { line, character: offset - starts[line]! };
}

/** The length of each line without its line break, for checking that ranges stay inside the document. */
export function lineLengths(text: string): number[] {
  const starts = lineStarts(text);
  return starts.map((start, i) => {
    const next = starts[i + 1];
    if (next === undefined) return text.length - start;
    const eol = text.charCodeAt(next - 1) === 10 && text.charCodeAt(next - 2) === 13 ? 2 : 1;
    return next - eol - start;
  });
}

/** Moves an offset back out of the middle of a surrogate pair or a `\r\n`. */
function snap(text: string, offset: number): number {
  const prev = text.charCodeAt(offset - 1);
  const next = text.charCodeAt(offset);
  if (prev >= 0xd800 && prev <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return offset - 1;
  if (prev === 13 && next === 10) return offset - 1;
  return offset;
}

/** One random edit, positions as fractions so the same edit applies to any text length. */
export interface EditSpec {
  at: number;
  /** How many characters to remove, before clamping to the text: 0 is a pure insertion. */
  remove: number;
  insert: string;
}

export function editSpec(options: { nul: boolean }): fc.Arbitrary<EditSpec> {
  return fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    remove: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat({ max: 12 }), weight: 3 }, { arbitrary: fc.nat({ max: 400 }), weight: 1 }),
    insert: insertedText(options),
  });
}

export interface AppliedEdit {
  text: string;
  change: TextDocumentContentChangeEvent & { range: Range };
}

/** Applies one edit to `text`, returning the new text and the LSP change an editor would send. */
export function applyEdit(text: string, spec: EditSpec): AppliedEdit {
  const start = snap(text, Math.min(Math.floor(spec.at * (text.length + 1)), text.length));
  const end = Math.max(start, snap(text, Math.min(start + spec.remove, text.length)));
  const starts = lineStarts(text);
  const range = { start: positionAt(text, start, starts), end: positionAt(text, end, starts) };
  return { text: text.slice(0, start) + spec.insert + text.slice(end), change: { range, text: spec.insert } };
}
