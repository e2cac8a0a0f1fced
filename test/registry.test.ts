/**
 * Parity between the rule registry, the rule modules, their pages, their
 * fixtures and the catalog in the README; and the rule pages' examples are
 * checked by running the analyzer on them (bad ones must be reported, good ones not).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProjectConfig } from '../server/src/config/pyproject';
import { optionsForFile } from '../server/src/config/resolve';
import { RULES } from '../server/src/rules';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { compareExpectations, parseExpectations } from './helpers/expectations';

const FAMILY_CATEGORIES: Record<string, string[]> = {
  '1': ['blocking-call'],
  '2': ['missing-await'],
  '3': ['unhandled-task-error'],
  '4': ['cancellation'],
  '5': ['structured-concurrency'],
  '6': ['cpu-bound-thread', 'threads-processes'],
  '7': ['event-loop-misuse'],
};
const PAGE_SECTIONS = ['## What it does', '## Why is this a problem', '## How to fix it', '## Example', '## Related'];

function pythonBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('rule registry', () => {
  it('lists rules sorted by code, with unique codes and names', () => {
    const codes = RULES.map((r) => r.meta.code);
    assert.deepEqual([...codes].sort(), codes);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(new Set(RULES.map((r) => r.meta.name)).size, RULES.length);
  });

  it('has one module per rule, named CODE-name.ts, and no unregistered module', () => {
    const files = fs.readdirSync(path.join(REPO_ROOT, 'server/src/rules')).filter((f) => /^AIO\d{3}-/.test(f));
    assert.deepEqual(files.sort(), RULES.map((r) => `${r.meta.code}-${r.meta.name}.ts`).sort());
  });

  for (const rule of RULES) {
    const { code, name, category, defaultSeverity } = rule.meta;
    describe(code, () => {
      it('has a well-formed code, kebab-case name and the category of its family', () => {
        assert.match(code, /^AIO\d{3}$/);
        assert.match(name, /^[a-z]+(-[a-z]+)*$/);
        assert.ok(FAMILY_CATEGORIES[code[3]!]?.includes(category), `${category} is not a category of family ${code[3]}xx`);
      });

      it('has a fixture with positives and negatives', () => {
        const fixture = path.join(REPO_ROOT, 'test/fixtures/rules', `${code}.py`);
        assert.ok(fs.existsSync(fixture), `missing ${fixture}`);
        const source = fs.readFileSync(fixture, 'utf8');
        const { expectations } = parseExpectations(source);
        assert.ok(expectations.filter((e) => e.code === code).length >= 3, 'at least three positives');
        const codeLines = source.split('\n').filter((l) => /\w\(/.test(l) && !l.trim().startsWith('#') && !/#\s*AIO\d{3}/.test(l));
        assert.ok(codeLines.length >= 3, 'at least three unmarked calls (negatives)');
      });

      it('has a page with the required sections, in order', () => {
        const page = fs.readFileSync(path.join(REPO_ROOT, 'docs/rules', `${code}.md`), 'utf8');
        assert.ok(page.startsWith(`# ${code} ${name}\n`), 'title');
        assert.ok(page.includes(`*Category: ${category} · Default severity: ${defaultSeverity}*`), 'category and severity line');
        const positions = PAGE_SECTIONS.map((s) => page.indexOf(`\n${s}`));
        assert.ok(positions.every((p) => p > 0), `sections: ${PAGE_SECTIONS.filter((_, i) => positions[i]! < 0).join(', ')}`);
        assert.deepEqual([...positions].sort((a, b) => a - b), positions);
      });

      it("has a bad example that is reported as its markers say, and a good one that is not reported", async () => {
        const page = fs.readFileSync(path.join(REPO_ROOT, 'docs/rules', `${code}.md`), 'utf8');
        const example = page.slice(page.indexOf('\n## Example'), page.indexOf('\n## Related'));
        const split = example.indexOf('Use instead');
        assert.ok(split > 0, 'an "Use instead:" part');
        const [bad] = pythonBlocks(example.slice(0, split));
        const [good] = pythonBlocks(example.slice(split));
        assert.ok(bad && good, 'one python block on each side');
        // A page may show the project configuration its example needs, as a ```toml block.
        const toml = /```toml\n([\s\S]*?)```/.exec(example)?.[1];
        const config = toml ? readProjectConfig('pyproject.toml', toml) : undefined;
        assert.deepEqual(config?.errors ?? [], []);
        const options = optionsForFile({ config: config?.config, errors: [] }, 'example.py', { select: [code] });
        const engine = await testEngine();
        const badResult = engine.analyzeText(bad, options);
        badResult.tree.delete();
        const markers = parseExpectations(bad).expectations.filter((e) => e.code === code);
        assert.ok(markers.length > 0, 'the bad example marks its findings');
        assert.deepEqual(compareExpectations(`${code}.md bad example`, markers, badResult.findings), []);
        const goodResult = engine.analyzeText(good, options);
        goodResult.tree.delete();
        assert.deepEqual(goodResult.findings.map((f) => `${f.range.start.line + 1}: ${f.message}`), []);
      });

      it('is listed in the README rule table', () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
        assert.ok(readme.includes(`| ${code} | ${name} | ${category} |`));
      });
    });
  }
});
