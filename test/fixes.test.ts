/**
 * Fixes. Golden files: test/fixtures/fixes/X.py, after "fix all", must equal X.fixed.py
 * (`UPDATE_GOLDEN=1 npm test` rewrites them), parse with Python's `ast`, leave no safe fix
 * behind and be stable when fixed again. And every single fix offered on every fixture, applied
 * alone, must keep the file valid Python and make its finding go away; a safe fix must not
 * create any other finding.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../server/src/core/fix';
import type { Finding } from '../server/src/core/types';
import { RULES } from '../server/src/rules';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { pythonSyntaxErrors } from './helpers/python';

const FIXES_DIR = path.join(REPO_ROOT, 'test/fixtures/fixes');
const GOLDEN_INPUTS = fs.readdirSync(FIXES_DIR).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).sort();

function key(f: Finding): string {
  return `${f.code}@${f.range.start.line}:${f.range.start.character}`;
}

describe('fix all (golden files)', () => {
  for (const name of GOLDEN_INPUTS) {
    it(name, async () => {
      const engine = await testEngine();
      const source = fs.readFileSync(path.join(FIXES_DIR, name), 'utf8');
      const { text, fixed } = engine.fixAll(source);
      const goldenPath = path.join(FIXES_DIR, name.replace(/\.py$/, '.fixed.py'));
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(goldenPath, text);
      assert.equal(text, fs.readFileSync(goldenPath, 'utf8'));
      assert.ok(fixed > 0, 'the fixture has something to fix');
      assert.deepEqual(pythonSyntaxErrors({ [name]: text }), {});
      const after = engine.analyzeText(text);
      after.tree.delete();
      assert.deepEqual(after.findings.filter((f) => f.fixes.some((x) => x.safe)).map(key), [], 'no safe fix left');
      assert.equal(engine.fixAll(text).text, text, 'fixing again changes nothing');
    });
  }
});

describe('every fix offered on the fixtures', function () {
  this.timeout(120_000);
  const files = [
    ...fs.readdirSync(path.join(REPO_ROOT, 'test/fixtures/rules')).map((f) => path.join(REPO_ROOT, 'test/fixtures/rules', f)),
    ...GOLDEN_INPUTS.map((f) => path.join(FIXES_DIR, f)),
    ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).map((f) => path.join(REPO_ROOT, 'examples', f)),
  ].filter((f) => f.endsWith('.py'));

  it('keeps the file valid Python, removes its finding, and a safe fix adds no other finding', async () => {
    const engine = await testEngine();
    const originals: Record<string, string> = {};
    for (const file of files) originals[file] = fs.readFileSync(file, 'utf8');
    const alreadyBroken = new Set(Object.keys(pythonSyntaxErrors(originals)));
    const candidates: Record<string, string> = {};
    const codesWithFix = new Set<string>();
    const problems: string[] = [];
    let count = 0;
    for (const file of files) {
      const source = originals[file]!;
      const before = engine.analyzeText(source);
      before.tree.delete();
      for (const finding of before.findings) {
        for (const fix of finding.fixes) {
          if (!fix.title.startsWith('Ignore ')) codesWithFix.add(finding.code);
          const label = `${path.relative(REPO_ROOT, file)}:${finding.range.start.line + 1} ${finding.code} "${fix.title}"`;
          const text = applyEdits(source, fix.edits);
          if (text === undefined) {
            problems.push(`${label}: overlapping edits`);
            continue;
          }
          count++;
          if (!alreadyBroken.has(file)) candidates[label] = text;
          const after = engine.analyzeText(text);
          after.tree.delete();
          const remaining = after.findings.filter((f) => f.code === finding.code);
          if (remaining.length >= before.findings.filter((f) => f.code === finding.code).length) problems.push(`${label}: the finding is still there`);
          if (fix.safe && after.findings.length !== before.findings.length - 1) {
            problems.push(`${label}: ${before.findings.length} findings before, ${after.findings.length} after`);
          }
        }
      }
    }
    for (const [label, error] of Object.entries(pythonSyntaxErrors(candidates))) problems.push(`${label}: invalid Python: ${error}`);
    assert.ok(count > 200, `only ${count} fixes were tried`);
    assert.deepEqual(problems, []);
    // Every rule offers a real fix (not only "ignore") somewhere in the fixtures.
    assert.deepEqual(RULES.map((r) => r.meta.code).filter((code) => !codesWithFix.has(code)), []);
  });
});
