/**
 * Child process of bench-floor.ts: parses the texts of one shard (JSON lines `{ text, range? }`),
 * with the grammar loaded before the clock starts. Prints one JSON line: { workSeconds, inputs }.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPythonParser } from '../../server/src/core/parser';

async function main(): Promise<void> {
  const [shardFile, repoRoot] = process.argv.slice(2);
  if (!shardFile || !repoRoot) throw new Error('usage: parse-child.ts SHARD_FILE REPO_ROOT');
  const inputs = fs.readFileSync(shardFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ParseInput);
  const parser = await createPythonParser({ grammarDir: path.join(repoRoot, 'grammars') });
  const started = process.hrtime.bigint();
  for (const input of inputs) parser.parse(input.text, undefined, input.range).delete();
  const workSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ workSeconds, inputs: inputs.length }));
}

interface ParseInput {
  text: string;
  range?: { startIndex: number; endIndex: number; startPosition: { row: number; column: number }; endPosition: { row: number; column: number } };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
