/**
 * What must hold for any analysis of any text, as assertions with messages that say which
 * finding broke which rule (fast-check then shrinks the input and prints it).
 */
import * as assert from 'node:assert/strict';
import type { Engine } from '../../server/src/core/engine';
import { applyEdits } from '../../server/src/core/fix';
import type { Finding, Position, Range } from '../../server/src/core/types';
import { lineLengths } from './edits';

function inside(p: Position, lengths: number[]): boolean {
  return Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lengths.length && p.character >= 0 && p.character <= lengths[p.line]!;
}

function ordered(r: Range): boolean {
  return r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
}

function show(f: Finding): string {
  return `${f.code} ${JSON.stringify(f.range)}`;
}

/** Every range a finding carries (its own, related locations in this file, fix edits) lies inside the document, start <= end. */
export function assertRangesInside(text: string, findings: readonly Finding[]): void {
  const lengths = lineLengths(text);
  const check = (range: Range, what: string) => {
    assert.ok(ordered(range), `${what}: start after end ${JSON.stringify(range)}`);
    assert.ok(inside(range.start, lengths) && inside(range.end, lengths), `${what}: outside the document (${lengths.length} lines, lengths ${JSON.stringify(lengths.slice(range.start.line, range.end.line + 2))}): ${JSON.stringify(range)}`);
  };
  for (const f of findings) {
    check(f.range, show(f));
    for (const r of f.related) if (r.uri === undefined) check(r.range, `${show(f)} related "${r.message}"`);
    for (const fix of f.fixes) for (const e of fix.edits) check(e.range, `${show(f)} fix "${fix.title}"`);
  }
}

/**
 * Each fix applies on its own (no two of its edits overlap), and a safe fix on a file without
 * syntax errors leaves it without syntax errors: "fix all" and `--fix` apply those unreviewed.
 */
export function assertFixesApply(engine: Engine, text: string, hadSyntaxErrors: boolean, findings: readonly Finding[]): void {
  for (const f of findings) {
    for (const fix of f.fixes) {
      const fixed = applyEdits(text, fix.edits);
      assert.equal(typeof fixed, 'string', `${show(f)} fix "${fix.title}": overlapping edits ${JSON.stringify(fix.edits)}`);
      if (!fix.safe || hadSyntaxErrors) continue;
      const tree = engine.parse(fixed!);
      const broken = tree.rootNode.hasError;
      tree.delete();
      assert.ok(!broken, `${show(f)} safe fix "${fix.title}" introduces a syntax error:\n--- before\n${text}\n--- after\n${fixed}`);
    }
  }
}

/** No rule threw; the first error's stack is in the message because a rule throwing is a bug to report. */
export function assertNoRuleErrors(ruleErrors: ReadonlyArray<{ code: string; error: unknown }>): void {
  if (ruleErrors.length === 0) return;
  const details = ruleErrors.map((e) => `${e.code}: ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`);
  assert.fail(`rules threw:\n${details.join('\n\n')}`);
}
