/**
 * Applies every quick-fix offered on a corpus of real code, one at a time, and fix-all on every
 * file, and checks that nothing is lost:
 * - the result parses with Python's own `ast` (when the original did);
 * - the fixed finding is gone (one fewer finding of its code);
 * - no text outside the edited spans changed;
 * - a safe fix adds no finding of another code;
 * - fix-all run a second time changes nothing.
 *
 *   npx tsx scripts/fix-corpus.ts /tmp/corpus        (build it with ../shared/corpus/make-corpus.sh)
 *
 * Prints counts and every problem; exits 1 when there is a problem.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, Engine } from '../server/src/core/engine';
import { applyEdits, lineStarts, offsetAt, type TextEdit } from '../server/src/core/fix';
import { collectPythonFiles } from '../server/src/workspace/files';
import { pythonSyntaxErrors } from '../test/helpers/python';

const root = path.resolve(process.argv[2] ?? '/tmp/corpus');

/**
 * Findings a safe fix may legitimately bring to light: `while not done: time.sleep(x)` was a
 * blocking poll; once it sleeps with `await asyncio.sleep(x)` it is an (async) busy-wait poll, which
 * AIO503 reports. The loop was there before; the fix only makes it visible to the other rule.
 */
const REVEALED: Readonly<Record<string, readonly string[]>> = { AIO101: ['AIO503'] };
const REPO_ROOT = path.resolve(__dirname, '..');

/** True when every character outside the edited spans is where it was (shifted by the edits before it). */
function onlyEditedSpansChanged(before: string, after: string, edits: readonly TextEdit[]): boolean {
  const starts = lineStarts(before);
  const spans = edits
    .map((e) => ({ start: offsetAt(starts, before, e.range.start.line, e.range.start.character), end: offsetAt(starts, before, e.range.end.line, e.range.end.character), newText: e.newText }))
    // The order applyEdits uses: an insertion before a replacement at the same offset.
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let from = 0;
  let shift = 0;
  for (const span of spans) {
    if (before.slice(from, span.start) !== after.slice(from + shift, span.start + shift)) return false;
    if (after.slice(span.start + shift, span.start + shift + span.newText.length) !== span.newText) return false;
    shift += span.newText.length - (span.end - span.start);
    from = span.end;
  }
  return before.slice(from) === after.slice(from + shift);
}

async function main(): Promise<number> {
  const engine = await Engine.create({ grammarDir: path.join(REPO_ROOT, 'grammars') });
  const problems: string[] = [];
  const notes: string[] = [];
  const candidates: Record<string, string> = {};
  const counts = { files: 0, filesWithFindings: 0, findings: 0, fixes: 0, safeFixes: 0, fixAllFiles: 0, fixAllChanged: 0 };
  const originals: Record<string, string> = {};
  const started = Date.now();
  for (const file of collectPythonFiles([root])) {
    const decoded = decodeSource(fs.readFileSync(file));
    if (!decoded.ok) continue;
    counts.files++;
    const text = decoded.text;
    const before = engine.analyzeText(text);
    const parsesBefore = !before.tree.rootNode.hasError;
    before.tree.delete();
    if (before.findings.length === 0) continue;
    counts.filesWithFindings++;
    counts.findings += before.findings.length;
    const shown = path.relative(root, file);
    originals[shown] = text;
    const countOf = (findings: readonly { code: string }[], code: string) => findings.filter((f) => f.code === code).length;
    for (const finding of before.findings) {
      for (const fix of finding.fixes) {
        counts.fixes++;
        if (fix.safe) counts.safeFixes++;
        const label = `${shown}:${finding.range.start.line + 1} ${finding.code} "${fix.title}"`;
        const fixed = applyEdits(text, fix.edits);
        if (fixed === undefined) {
          problems.push(`${label}: overlapping edits`);
          continue;
        }
        if (!onlyEditedSpansChanged(text, fixed, fix.edits)) problems.push(`${label}: text outside the edits changed`);
        if (parsesBefore) candidates[label] = fixed;
        const after = engine.analyzeText(fixed);
        after.tree.delete();
        if (countOf(after.findings, finding.code) >= countOf(before.findings, finding.code)) problems.push(`${label}: the finding is still there`);
        if (fix.safe) {
          const added = after.findings.filter((f) => f.code !== finding.code && countOf(after.findings, f.code) > countOf(before.findings, f.code));
          const revealed = added.filter((f) => REVEALED[finding.code]?.includes(f.code));
          if (revealed.length > 0) notes.push(`${label}: reveals ${revealed.map((f) => f.code).join(', ')}`);
          const unexpected = added.filter((f) => !revealed.includes(f));
          if (unexpected.length > 0) problems.push(`${label}: adds ${unexpected.map((f) => f.code).join(', ')}`);
        }
      }
    }
    counts.fixAllFiles++;
    const once = engine.fixAll(text);
    if (once.text !== text) {
      counts.fixAllChanged++;
      if (parsesBefore) candidates[`${shown} (fix all)`] = once.text;
      const twice = engine.fixAll(once.text);
      if (twice.text !== once.text) problems.push(`${shown}: fix-all changes the file again on a second run`);
    }
  }
  // One python3 process for all candidates, in batches that keep the JSON small.
  const labels = Object.keys(candidates);
  let checked = 0;
  for (let i = 0; i < labels.length; i += 200) {
    const batch: Record<string, string> = {};
    for (const label of labels.slice(i, i + 200)) batch[label] = candidates[label]!;
    for (const [label, error] of Object.entries(pythonSyntaxErrors(batch))) problems.push(`${label}: invalid Python: ${error}`);
    checked += Object.keys(batch).length;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    `${counts.files} files, ${counts.filesWithFindings} with findings, ${counts.findings} findings; ${counts.fixes} fixes applied one by one (${counts.safeFixes} safe); ` +
      `fix-all on ${counts.fixAllFiles} files changed ${counts.fixAllChanged}; ${checked} results parsed by python3; ${problems.length} problems; ${seconds} s\n`,
  );
  for (const p of problems) process.stdout.write(`  ${p}\n`);
  for (const n of notes) process.stdout.write(`  (expected) ${n}\n`);
  return problems.length > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(2);
});
