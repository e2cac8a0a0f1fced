/**
 * Fixture tests: every Python file under test/fixtures/rules and
 * test/fixtures/peers carries inline markers that must match the analyzer's
 * findings exactly. Each file also runs in two derived variants: with every
 * marker turned into a `# noqa` (nothing may be reported), and, for the
 * blocking-call rules, with all async code made sync (nothing may be reported).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareExpectations, parseExpectations } from './helpers/expectations';
import { REPO_ROOT, testEngine } from './helpers/engine';

function fixtureFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => path.join(dir, f));
}

const FIXTURES = [
  ...fixtureFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'rules')),
  ...fixtureFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'peers')),
];

/** Appends `# noqa: CODES` to every line that carries markers. */
function noqaVariant(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      const codes = [...line.matchAll(/#\s*(AIO\d{3})\b/g)].map((m) => m[1]);
      if (codes.length === 0 || /#\s*noqa/.test(line)) return line;
      return `${line.replace(/\s*#[^#]*AIO\d{3}.*$/, '')}  # noqa: ${[...new Set(codes)].join(', ')}`;
    })
    .join('\n');
}

/** The same code with every coroutine made a plain function (flake8-async's sync-transform check). */
function syncVariant(source: string): string {
  return source
    .replace(/\basync (def|with|for)\b/g, '$1')
    .replace(/\bawait\s+/g, '')
    .replace(/#\s*AIO1\d\d\b[^#\n]*/g, '');
}

describe('rule fixtures', function () {
  it('has fixtures to run', () => {
    assert.ok(FIXTURES.length > 0);
  });

  for (const file of FIXTURES) {
    const name = path.relative(REPO_ROOT, file);
    describe(name, () => {
      const source = fs.readFileSync(file, 'utf8');
      const { expectations, select, options } = parseExpectations(source);

      it('reports exactly what the markers say', async () => {
        const engine = await testEngine();
        const result = engine.analyzeText(source, { ...options, select });
        result.tree.delete();
        assert.deepEqual(result.ruleErrors, []);
        const problems = compareExpectations(name, expectations, result.findings);
        assert.ok(problems.length === 0, `\n${problems.join('\n')}`);
      });

      it('reports nothing when each marked line carries # noqa', async () => {
        const engine = await testEngine();
        const result = engine.analyzeText(noqaVariant(source), { ...options, select });
        result.tree.delete();
        const left = result.findings.map((f) => `${f.range.start.line + 1}: ${f.code}`);
        assert.deepEqual(left, []);
      });

      it('reports no blocking call once the code is made synchronous', async () => {
        const engine = await testEngine();
        const result = engine.analyzeText(syncVariant(source), { ...options, select: ['AIO1'] });
        result.tree.delete();
        const left = result.findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`);
        assert.deepEqual(left, []);
      });
    });
  }
});
