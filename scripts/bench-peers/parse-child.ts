/**
 * Child process: bare tree-sitter parse of every file in a list, on one thread. This is the floor
 * for the analysis: every rule needs the tree, so no analysis can be faster than this.
 * Reading and decoding happen before the clock starts so only parsing is timed.
 * Prints one JSON line: { workSeconds, files, maxRssKb }.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPythonParser } from '../../server/src/core/parser';
import { decodeSource } from '../../server/src/core/engine';

async function main(): Promise<void> {
  const [listFile, repoRoot] = process.argv.slice(2);
  if (!listFile || !repoRoot) throw new Error('usage: parse-child.ts FILE_LIST REPO_ROOT');
  const files = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const texts: string[] = [];
  for (const f of files) {
    const decoded = decodeSource(fs.readFileSync(f));
    if (decoded.ok) texts.push(decoded.text);
  }
  const parser = await createPythonParser({ grammarDir: path.join(repoRoot, 'grammars') });
  const started = process.hrtime.bigint();
  for (const text of texts) parser.parse(text).delete();
  const workSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // ru_maxrss is in kilobytes on Linux.
  console.log(JSON.stringify({ workSeconds, files: texts.length, maxRssKb: process.resourceUsage().maxRSS }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
