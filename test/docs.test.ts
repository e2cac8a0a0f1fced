/**
 * The concept notes: one per concept of the guide, in a fixed structure, with
 * examples that really run; and every relative link in the rule pages and notes
 * points at a file that exists.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conceptsFor } from '../server/src/lsp/hover';
import { VOCABULARY } from '../server/src/lsp/vocabulary';
import { RULES } from '../server/src/rules';
import { REPO_ROOT } from './helpers/engine';

const CONCEPTS = [
  'sync-vs-async',
  'event-loop-and-tasks',
  'coroutines-and-await',
  'concurrency-vs-parallelism',
  'threads-processes-and-the-gil',
  'callbacks',
  'error-handling-and-recovery',
  'avoiding-blocking-calls',
  'caching-in-async-code',
  'async-frameworks',
];
const SECTIONS = ['## The idea', '## What goes wrong', '## Example', '## What to do instead', '## Related rules', '## Further reading'];
const conceptPath = (id: string) => path.join(REPO_ROOT, 'docs/concepts', `${id}.md`);

describe('concept notes', function () {
  this.timeout(120_000);

  it('exist for every concept of the guide, and nothing else is in the folder', () => {
    const present = fs.readdirSync(path.join(REPO_ROOT, 'docs/concepts')).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''));
    assert.deepEqual(present.sort(), [...CONCEPTS].sort());
  });

  it('are linked from every rule family and every vocabulary hover', () => {
    for (const rule of RULES) assert.ok(conceptsFor(rule.meta.code).length > 0, rule.meta.code);
    const linked = new Set([...RULES.flatMap((r) => conceptsFor(r.meta.code)), ...[...VOCABULARY.values()].map((v) => v.concept)]);
    for (const id of linked) assert.ok(CONCEPTS.includes(id), id);
  });

  for (const id of CONCEPTS) {
    describe(id, () => {
      it('has a title, a stand-alone summary paragraph and the sections in order', () => {
        const text = fs.readFileSync(conceptPath(id), 'utf8');
        assert.match(text, /^# \S.*\n\n[^#\n`][^\n]+/);
        const positions = SECTIONS.map((s) => text.indexOf(`\n${s}\n`));
        assert.ok(positions.every((p) => p > 0), `missing: ${SECTIONS.filter((_, i) => positions[i]! < 0).join(', ')}`);
        assert.deepEqual([...positions].sort((a, b) => a - b), positions);
      });

      it('has examples that run with python3 and exit 0', () => {
        const text = fs.readFileSync(conceptPath(id), 'utf8');
        const blocks = [...text.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
        assert.ok(blocks.length > 0, 'at least one example');
        const runnable = blocks.filter((b) => !b.startsWith('# not runnable:'));
        assert.ok(runnable.length > 0, 'at least one runnable example');
        for (const [i, block] of runnable.entries()) {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concept-'));
          const result = spawnSync('python3', ['-X', 'dev', '-c', block], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
          fs.rmSync(dir, { recursive: true, force: true });
          assert.equal(result.status, 0, `example ${i + 1} of ${id}: ${result.stderr}`);
          assert.ok(result.stdout.trim().length > 0, `example ${i + 1} of ${id} prints nothing`);
        }
      });
    });
  }
});

describe('documentation links', () => {
  it('every relative link in docs/rules and docs/concepts points at an existing file', () => {
    const broken: string[] = [];
    for (const folder of ['docs/rules', 'docs/concepts']) {
      for (const file of fs.readdirSync(path.join(REPO_ROOT, folder)).filter((f) => f.endsWith('.md'))) {
        const text = fs.readFileSync(path.join(REPO_ROOT, folder, file), 'utf8');
        for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
          const target = m[1]!;
          if (/^[a-z]+:/.test(target)) continue;
          if (!fs.existsSync(path.resolve(REPO_ROOT, folder, target))) broken.push(`${folder}/${file}: ${target}`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
});
