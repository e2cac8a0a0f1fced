/**
 * Differential check of what module texts tell about classes (not a test):
 * `npx tsx scripts/check-text-facts.ts DIR...`.
 *
 * For every module with async code whose imports the text scan reads, each top-level class that the
 * text facts say has no `async def` in its body must have no async method in the module's summary
 * (its own methods, or those of classes nested in it). Prints the counts; exits 1 on a disagreement.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, Engine } from '../server/src/core/engine';
import { collectPythonFiles } from '../server/src/workspace/files';
import { textFactsOf } from '../server/src/workspace/text-facts';

async function main(): Promise<void> {
  const folders = process.argv.slice(2);
  if (folders.length === 0) throw new Error('usage: check-text-facts.ts DIR...');
  const engine = await Engine.create({ grammarDir: path.resolve(__dirname, '..', 'grammars') });
  const index = engine.createWorkspaceIndex({ lazyDetails: true });
  for (const folder of folders) index.addRoot(path.resolve(folder));
  let modules = 0;
  let classes = 0;
  let toldWithout = 0;
  const wrong: string[] = [];
  for (const file of collectPythonFiles(folders)) {
    const decoded = decodeSource(fs.readFileSync(file));
    if (!decoded.ok) continue;
    const facts = textFactsOf(decoded.text);
    if (!facts.mayDefineAsync || !facts.imports) continue;
    const summary = index.summaryOfFile(file);
    if (!summary) continue;
    modules++;
    for (const name of summary.classes.keys()) {
      if (name.includes('.')) continue;
      classes++;
      if (facts.classesWithAsyncDefs.has(name)) continue;
      toldWithout++;
      if ([...summary.functions].some(([qualified, fn]) => qualified.startsWith(`${name}.`) && fn.isAsync)) wrong.push(`${file}: ${name}`);
    }
  }
  console.log(`${modules} modules with async code, ${classes} classes: ${toldWithout} told to have no async def in their body, ${wrong.length} of them wrongly`);
  for (const w of wrong.slice(0, 20)) console.log(`  wrong: ${w}`);
  if (wrong.length > 0) process.exitCode = 1;
}

void main();
