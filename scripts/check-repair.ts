/**
 * Differential check of the repaired copy's incremental parse (not a test):
 * `npx tsx scripts/check-repair.ts DIR... [--edits N]`.
 *
 * For every Python file under the folders, N random one-character insertions (as typing makes);
 * for each one that leaves a syntax error and a chunk to blank out, the tree of the repaired text
 * parsed incrementally from the edited file's tree (`parseRepaired`) must equal a parse of the
 * repaired text from nothing: every node's type and offsets. Prints the counts and both times.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { decodeSource, Engine, pythonLineBreaks } from '../server/src/core/engine';
import { parseRepaired, repairedSourceInSlices } from '../server/src/core/recovery';
import { runToEnd } from '../server/src/core/steps';
import { collectPythonFiles } from '../server/src/workspace/files';

function shape(root: Node): string {
  const out: string[] = [];
  const cursor = root.walk();
  for (;;) {
    out.push(`${cursor.nodeType}:${cursor.startIndex}-${cursor.endIndex}:${cursor.startPosition.row}.${cursor.startPosition.column}`);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out.join(' ');
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const editsAt = args.indexOf('--edits');
  const edits = editsAt >= 0 ? Number(args[editsAt + 1]) : 3;
  const folders = args.filter((a, i) => !a.startsWith('--') && i !== editsAt + 1);
  const engine = await Engine.create({ grammarDir: path.resolve(__dirname, '..', 'grammars') });
  const parser = { parse: (text: string, previous?: Parameters<Engine['parse']>[1]) => engine.parse(text, previous) };
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const tally = { files: 0, repaired: 0, same: 0, different: [] as string[], freshMs: 0, incrementalMs: 0 };
  for (const file of collectPythonFiles(folders)) {
    const decoded = decodeSource(fs.readFileSync(file));
    if (!decoded.ok || decoded.text.length > 2_000_000) continue;
    tally.files++;
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * decoded.text.length);
      const text = pythonLineBreaks(decoded.text.slice(0, at) + '([:"\'x'[Math.floor(random() * 6)] + decoded.text.slice(at));
      const tree = engine.parse(text);
      try {
        if (!tree.rootNode.hasError) continue;
        const repair = runToEnd(repairedSourceInSlices(text, parser, Infinity));
        if (!repair) continue;
        tally.repaired++;
        let t = performance.now();
        const fresh = engine.parse(repair.text);
        tally.freshMs += performance.now() - t;
        t = performance.now();
        const incremental = parseRepaired(parser, tree, repair);
        tally.incrementalMs += performance.now() - t;
        if (shape(fresh.rootNode) === shape(incremental.rootNode)) tally.same++;
        else tally.different.push(`${file} at ${at}`);
        fresh.delete();
        incremental.delete();
      } finally {
        tree.delete();
      }
    }
  }
  console.log(`${tally.files} files, ${tally.repaired} repaired copies: ${tally.same} the same, ${tally.different.length} different; parse from nothing ${tally.freshMs.toFixed(0)} ms, incremental ${tally.incrementalMs.toFixed(0)} ms`);
  for (const d of tally.different.slice(0, 20)) console.log(`  different: ${d}`);
  if (tally.different.length > 0) process.exitCode = 1;
}

void main();
