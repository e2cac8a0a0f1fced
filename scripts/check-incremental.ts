/**
 * Differential check of incremental re-analysis on real code: for random single-character edits
 * inside function bodies of each file, the incremental result must equal a full analysis of the
 * edited text for everything it analyzed afresh. Carried-over findings that differ are counted:
 * those are what the language server's settling full analysis corrects after typing pauses.
 *
 *   tsx scripts/check-incremental.ts DIR [--edits N] [--seed S] [--limit FILES] [--chain N [--outside] [--alone]]
 *
 * With --chain N, each file gets N edits in a row, each analyzed from the last one's state (as the
 * language server does while typing goes on, before the settling full analysis). With --outside,
 * every other edit lands outside function bodies (module-level statements, class bodies, blank lines).
 * With --alone, edits inside function bodies parse the edited function alone when they can, as the
 * language server does; where the edited text has a syntax error, a function parsed alone can differ
 * from the whole file's parse, so differences there are counted apart ("alone, syntax error"), not as wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit } from 'web-tree-sitter';
import { analyzeInSlices, analyzeTree } from '../server/src/core/analyze';
import { Engine } from '../server/src/core/engine';
import { analyzeIncrementally, chunkedFindings, type TextChange } from '../server/src/core/incremental';
import type { Finding } from '../server/src/core/types';
import { editChain, ERASE } from '../test/helpers/edit-chain';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'examples';
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const editsPerFile = flag('edits', 5);
const chainLength = flag('chain', 0);
// With --outside, every other chained edit lands outside function bodies.
const outsideEdits = args.includes('--outside');
const parseAlone = args.includes('--alone');
const limit = flag('limit', Infinity);
let seed = flag('seed', 1);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

function pythonFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(full));
    else if (entry.name.endsWith('.py')) out.push(full);
  }
  return out.sort();
}

const key = (f: Finding) => JSON.stringify([f.code, f.range, f.message, f.related, f.fixes]);

async function main(): Promise<void> {
  const engine = await Engine.create({ grammarDir: path.resolve('grammars') });
  const files = pythonFiles(dir).slice(0, limit);
  let edits = 0;
  let incremental = 0;
  let wrong = 0;
  let stale = 0;
  let alone = 0;
  let carriedOver = 0;
  let textOnly = 0;
  let moduleLevel = 0;
  let isolated = 0;
  let timeFull = 0;
  let timeIncremental = 0;
  const alphabet = 'abcxyz_0 ()\n.:=';
  for (const file of files) {
    // The generator's state here re-runs this file alone: `--seed S` on a folder holding only it.
    if (process.env.VERBOSE) console.log(`${file} (seed ${seed})`);
    const text = fs.readFileSync(file, 'utf8');
    if (text.length > 2_000_000 || text.includes('\r')) continue;
    const tree = engine.parse(text);
    const first = analyzeTree(tree, text);
    const state = chunkedFindings(first, first.chunks ?? []);
    // The server's full analysis (lazy model, in slices) must find exactly what the CLI's finds.
    const steps = analyzeInSlices(tree, text, {}, undefined, 0);
    let step = steps.next();
    while (!step.done) step = steps.next();
    if (JSON.stringify(step.value.findings.map(key)) !== JSON.stringify(first.findings.map(key))) {
      wrong++;
      console.log(`WRONG ${file}: the sliced full analysis differs`);
    }
    const chunks = first.chunks ?? [];
    if (chainLength > 0) {
      const counts = checkChain(engine, file, text);
      edits += counts.edits;
      incremental += counts.incremental;
      wrong += counts.wrong;
      stale += counts.stale;
      alone += counts.alone;
      carriedOver += counts.carriedOver;
      textOnly += counts.textOnly;
      moduleLevel += counts.moduleLevel;
      isolated += counts.isolated;
      tree.delete();
      continue;
    }
    for (let e = 0; e < editsPerFile && chunks.length > 0; e++) {
      const chunk = chunks[Math.floor(random() * chunks.length)]!;
      const body = chunk.node.childForFieldName('body');
      if (!body) continue;
      const at = body.startIndex + Math.floor(random() * (body.endIndex - body.startIndex));
      const ch = alphabet[Math.floor(random() * alphabet.length)]!;
      const edited = text.slice(0, at) + ch + text.slice(at);
      const change = textChange(text, at, ch);
      const old = tree.copy();
      old.edit(new Edit(change));
      const t0 = performance.now();
      const next = engine.parse(edited, old);
      const ranges = old.getChangedRanges(next);
      const inc = analyzeIncrementally(next, edited, {}, undefined, state, [change], ranges);
      const t1 = performance.now();
      const fullTree = engine.parse(edited);
      const full = analyzeTree(fullTree, edited);
      const t2 = performance.now();
      fullTree.delete();
      edits++;
      if (inc) {
        incremental++;
        timeIncremental += t1 - t0;
        timeFull += t2 - t1;
        const expected = new Set(full.findings.map(key));
        const got = new Set(inc.findings.map(key));
        const missing = full.findings.filter((f) => !got.has(key(f)));
        const extra = inc.findings.filter((f) => !expected.has(key(f)));
        if (missing.length + extra.length > 0) {
          // Differences inside the edited chunk or outside chunks are errors; elsewhere, staleness.
          const editedLine = change.startPosition.row;
          const inEdited = (f: Finding) => f.range.start.line >= chunk.node.startPosition.row && f.range.start.line <= chunk.node.endPosition.row + (ch === '\n' ? 1 : 0);
          const bad = [...missing, ...extra].filter(inEdited);
          if (bad.length > 0) {
            wrong++;
            console.log(`WRONG ${file}:${editedLine + 1} insert ${JSON.stringify(ch)}: missing ${missing.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')} extra ${extra.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')}`);
          } else {
            stale++;
            console.log(`stale ${file}:${editedLine + 1} insert ${JSON.stringify(ch)}: missing ${missing.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')} extra ${extra.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')}`);
          }
        }
      }
      old.delete();
      next.delete();
    }
    tree.delete();
  }
  const timing = chainLength > 0 ? 'chained edits' : `incremental ${timeIncremental.toFixed(0)} ms vs full ${timeFull.toFixed(0)} ms`;
  const aloneCounts = parseAlone ? ` (${alone} with the function parsed alone, ${carriedOver} of them on the model of the edit before, ${isolated} different with a syntax error; ${textOnly} only moving the findings, in a comment or docstring; ${moduleLevel} outside functions, not parsing or parsing as last analyzed)` : '';
  console.log(`${files.length} files, ${edits} edits, ${incremental} incremental${aloneCounts}, ${wrong} wrong, ${stale} stale; ${timing}`);
  process.exitCode = wrong > 0 ? 1 : 0;
}

/** `chainLength` edits in a row (see test/helpers/edit-chain.ts), each compared with a full analysis. */
function checkChain(engine: Engine, file: string, original: string) {
  const counts = { edits: 0, incremental: 0, wrong: 0, stale: 0, alone: 0, carriedOver: 0, textOnly: 0, moduleLevel: 0, isolated: 0 };
  // Characters typed, and some erased (as with backspace).
  for (const edit of editChain(engine, original, chainLength, random, `abcxyz_0 ()\n.:=${ERASE}${ERASE}`, outsideEdits, parseAlone)) {
    counts.edits++;
    if (!edit.incremental) continue;
    counts.incremental++;
    if (edit.alone) counts.alone++;
    if (edit.carriedOver) counts.carriedOver++;
    if (edit.textOnly) counts.textOnly++;
    if (edit.moduleLevel) counts.moduleLevel++;
    const expected = new Set(edit.full.map(key));
    const got = new Set(edit.incremental.map(key));
    const missing = edit.full.filter((f) => !got.has(key(f)));
    const extra = edit.incremental.filter((f) => !expected.has(key(f)));
    const what = `${file}:${edit.change.startPosition.row + 1} edit ${edit.index} insert ${JSON.stringify(edit.inserted)}: missing ${missing.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')} extra ${extra.map((f) => `${f.code}@${f.range.start.line + 1}`).join(',')}`;
    if (edit.alone && edit.syntaxError && [...missing, ...extra].some(edit.afresh)) {
      counts.isolated++;
      if (process.env.VERBOSE) console.log(`alone, syntax error ${what}`);
    } else if ([...missing, ...extra].some(edit.afresh)) {
      counts.wrong++;
      console.log(`WRONG ${what}`);
    } else if (missing.length + extra.length > 0) {
      counts.stale++;
      if (process.env.VERBOSE) console.log(`stale ${what}`);
    }
  }
  return counts;
}

function textChange(text: string, at: number, inserted: string): TextChange {
  const before = text.slice(0, at);
  const row = (before.match(/\n/g) ?? []).length;
  const column = at - (before.lastIndexOf('\n') + 1);
  const newEnd = inserted === '\n' ? { row: row + 1, column: 0 } : { row, column: column + inserted.length };
  return { startIndex: at, oldEndIndex: at, newEndIndex: at + inserted.length, startPosition: { row, column }, oldEndPosition: { row, column }, newEndPosition: newEnd };
}

void main();
