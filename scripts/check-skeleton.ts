/**
 * Differential check of module skeletons (not a test): `npx tsx scripts/check-skeleton.ts DIR...`.
 *
 * For every Python file under the folders, the summary the workspace index makes from the
 * skeleton (function bodies left out) must equal the one made from the whole text, and the body
 * facts from the skeleton without async bodies those from the whole text. Files whose whole text
 * has a syntax error are counted apart: error recovery around it may lose what the skeleton keeps.
 * Prints the counts and the parse times of both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
import { decodeSource, Engine } from '../server/src/core/engine';
import { SemanticModel } from '../server/src/core/semantic';
import { collectPythonFiles } from '../server/src/workspace/files';
import { skeletonOf } from '../server/src/workspace/skeleton';
import { moduleDetails, summarizeModule } from '../server/src/workspace/summary';

interface Tally {
  same: number;
  different: string[];
  syntaxErrors: number;
  wholeParseMs: number;
  skeletonParseMs: number;
}

async function main(): Promise<void> {
  const folders = process.argv.slice(2);
  if (folders.length === 0) throw new Error('usage: check-skeleton.ts DIR...');
  const engine = await Engine.create({ grammarDir: path.resolve(__dirname, '..', 'grammars') });
  const parsed = <T>(text: string, timing: { ms: number }, work: (tree: Tree) => T): T => {
    const started = performance.now();
    const tree = engine.parse(text);
    timing.ms += performance.now() - started;
    try {
      return work(tree);
    } finally {
      tree.delete();
    }
  };
  const summary = (text: string, timing: { ms: number }) =>
    parsed(text, timing, (tree) => {
      const s = summarizeModule(new SemanticModel(tree.rootNode, undefined, { source: text, lazyBodies: true }), 'm', 'file:///m.py', false, () => undefined);
      return JSON.stringify([[...s.functions].map(([k, f]) => [k, f.isAsync, f.isGenerator, f.plainDecorators, f.nameRange]), [...s.classes], [...s.imports], tree.rootNode.hasError]);
    });
  const details = (text: string, timing: { ms: number }) =>
    parsed(text, timing, (tree) => JSON.stringify([[...moduleDetails(new SemanticModel(tree.rootNode, undefined, { source: text }), 'm')], tree.rootNode.hasError]));

  const tallies = { summaries: newTally(), details: newTally() };
  let files = 0;
  let skipped = 0;
  for (const file of collectPythonFiles(folders)) {
    const decoded = decodeSource(fs.readFileSync(file));
    if (!decoded.ok) continue;
    files++;
    const text = decoded.text;
    const compare = (tally: Tally, skeleton: string | undefined, make: (t: string, timing: { ms: number }) => string) => {
      if (skeleton === undefined) return;
      const whole = { ms: 0 };
      const part = { ms: 0 };
      const expected = make(text, whole);
      const actual = make(skeleton, part);
      tally.wholeParseMs += whole.ms;
      tally.skeletonParseMs += part.ms;
      if (expected === actual) tally.same++;
      else if (JSON.parse(expected).at(-1) === true) tally.syntaxErrors++;
      else tally.different.push(file);
    };
    const skeleton = skeletonOf(text);
    if (skeleton === undefined) skipped++;
    compare(tallies.summaries, skeleton, summary);
    compare(tallies.details, skeletonOf(text, { asyncOnly: true }), details);
  }
  console.log(`${files} files, ${skipped} without a skeleton (nothing to leave out, or tabs in indentation)`);
  for (const [what, t] of Object.entries(tallies)) {
    console.log(`${what}: ${t.same} the same, ${t.different.length} different, ${t.syntaxErrors} different in files with a syntax error; parse ${t.wholeParseMs.toFixed(0)} ms whole, ${t.skeletonParseMs.toFixed(0)} ms skeleton`);
    for (const file of t.different.slice(0, 20)) console.log(`  different: ${file}`);
  }
  if (tallies.summaries.different.length + tallies.details.different.length > 0) process.exitCode = 1;
}

function newTally(): Tally {
  return { same: 0, different: [], syntaxErrors: 0, wholeParseMs: 0, skeletonParseMs: 0 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
