/**
 * Incremental re-analysis: the lazy semantic model, the reuse of untouched functions' findings,
 * and the language server's full analysis that settles them once typing pauses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit, type Tree } from 'web-tree-sitter';
import { analyzeInSlices, analyzeTree } from '../server/src/core/analyze';
import type { Engine } from '../server/src/core/engine';
import { analyzeIncrementally, chunkedFindings, keptForTextOnlyEdit, MAX_FRESH_CHARS, MAX_RESYNTAXED_CHUNKS } from '../server/src/core/incremental';
import { parseRepaired, repairedSourceInSlices } from '../server/src/core/recovery';
import { SemanticModel } from '../server/src/core/semantic';
import { runToEnd } from '../server/src/core/steps';
import { threadLaunchOf, threadTargets } from '../server/src/rules/helpers/workers';
import type { Finding } from '../server/src/core/types';
import { deletion, editChain, insertion } from './helpers/edit-chain';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { LspClient } from './helpers/lsp-client';

const key = (f: Finding) => JSON.stringify([f.code, f.range, f.message, f.related, f.fixes]);

/** Edits `text` at `at`, re-parses incrementally and analyzes both ways. */
function editBothWays(engine: Engine, text: string, at: number, inserted: string) {
  const tree = engine.parse(text);
  const first = analyzeTree(tree, text);
  const change = insertion(text, at, inserted);
  const edited = text.slice(0, at) + inserted + text.slice(at);
  tree.edit(new Edit(change));
  const next = engine.parse(edited, tree);
  const incremental = analyzeIncrementally(next, edited, {}, undefined, chunkedFindings(first, first.chunks ?? []), [change], tree.getChangedRanges(next));
  const fresh = engine.parse(edited);
  const full = analyzeTree(fresh, edited);
  for (const t of [tree, next, fresh] as Tree[]) t.delete();
  return { incremental, full, edited };
}

/** The model the language server's incremental analysis builds: lazy bodies, shallow outside functions. */
function serverModel(tree: Tree, source: string): SemanticModel {
  return new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source, shallowOutside: true });
}

function pythonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return pythonFiles(full);
    return e.name.endsWith('.py') ? [full] : [];
  });
}

describe('incremental analysis', function () {
  this.timeout(300_000);
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  it('a lazy model builds a body when a query reaches into it, and then agrees with a full model', () => {
    const source = 'import time\n\nclass Worker:\n    def start(self):\n        self.clock = time\n\n    async def run(self):\n        self.clock.sleep(1)\n';
    const tree = engine.parse(source);
    const lazy = new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source });
    const full = new SemanticModel(tree.rootNode, undefined, { source });
    assert.equal(lazy.chunks.length, 2);
    assert.ok(lazy.chunks.every((c) => !c.built && c.nodes.length === 1), 'only the def nodes are walked up front');
    const call = tree.rootNode.descendantsOfType('call')[0]!;
    // `self.clock` is assigned in another method: resolving it builds that method's body.
    assert.equal(lazy.calleeName(call), 'time.sleep');
    assert.equal(full.calleeName(call), 'time.sleep');
    assert.deepEqual(lazy.preorder.map((n) => n.id), full.preorder.map((n) => n.id));
    tree.delete();
  });

  it('equals a full analysis for the edited function and the code outside functions (examples and rule fixtures)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const files = [...pythonFiles(path.join(REPO_ROOT, 'examples')), ...pythonFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'rules'))].sort();
    let reused = 0;
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      if (text.includes('\r')) continue;
      const tree = engine.parse(text);
      const chunks = analyzeTree(tree, text).chunks ?? [];
      const bodies = chunks.map((c) => c.node.childForFieldName('body')).filter((b) => b !== null).map((b) => ({ start: b.startIndex, end: b.endIndex, startRow: b.startPosition.row, endRow: b.endPosition.row }));
      tree.delete();
      for (let i = 0; i < 4 && bodies.length > 0; i++) {
        const body = bodies[Math.floor(random() * bodies.length)]!;
        const at = body.start + Math.floor(random() * (body.end - body.start));
        const inserted = 'x_( \n:'[Math.floor(random() * 6)]!;
        const { incremental, full } = editBothWays(engine, text, at, inserted);
        checked++;
        if (!incremental) continue;
        reused += incremental.reused;
        // Findings of the edited function must be exactly those of a full analysis; other
        // functions' carried-over findings may lag (the server settles them).
        const lastRow = body.endRow + (inserted === '\n' ? 1 : 0);
        const inEdited = (f: Finding) => f.range.start.line >= body.startRow - 1 && f.range.start.line <= lastRow;
        assert.deepEqual(
          incremental.findings.filter(inEdited).map(key).sort(),
          full.findings.filter(inEdited).map(key).sort(),
          `${path.relative(REPO_ROOT, file)}: inserting ${JSON.stringify(inserted)} at offset ${at}`,
        );
      }
    }
    assert.ok(checked > 200, `only ${checked} edits checked`);
    assert.ok(reused > 500, `incremental analysis reused only ${reused} functions' findings`);
  });

  it('edits in a row, each analyzed from the last one, keep the edited function exact (examples)', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let edits = 0;
    for (const file of pythonFiles(path.join(REPO_ROOT, 'examples')).sort()) {
      for (const edit of editChain(engine, fs.readFileSync(file, 'utf8'), 25, random)) {
        edits++;
        if (!edit.incremental) continue;
        const where = `${path.relative(REPO_ROOT, file)}, edit ${edit.index}: ${JSON.stringify(edit.inserted)} at ${edit.change.startIndex}`;
        assert.deepEqual(edit.incremental.filter(edit.afresh).map(key).sort(), edit.full.filter(edit.afresh).map(key).sort(), where);
      }
    }
    assert.ok(edits > 100, `only ${edits} edits`);
  });

  it('edits in a row outside function bodies too keep everything analyzed afresh exact (examples)', () => {
    let seed = 5;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let outside = 0;
    for (const file of pythonFiles(path.join(REPO_ROOT, 'examples')).sort()) {
      for (const edit of editChain(engine, fs.readFileSync(file, 'utf8'), 25, random, 'x_( \n:."#', true)) {
        if (!edit.incremental) continue;
        if (edit.index % 2 === 0) outside++;
        const where = `${path.relative(REPO_ROOT, file)}, edit ${edit.index}: ${JSON.stringify(edit.inserted)} at ${edit.change.startIndex}`;
        assert.deepEqual(edit.incremental.filter(edit.afresh).map(key).sort(), edit.full.filter(edit.afresh).map(key).sort(), where);
      }
    }
    assert.ok(outside > 50, `only ${outside} edits outside bodies`);
  });

  it('an edit outside functions analyzes only the module-level statements it touched', () => {
    const source = [
      '"""Module docstring."""',
      'import asyncio',
      'import multiprocessing',
      '',
      'loop = asyncio.get_event_loop()',
      '',
      '',
      'async def work():',
      '    await asyncio.sleep(1)',
      '',
      '',
      'asyncio.ensure_future(work())',
      'p = multiprocessing.Process(target=print)',
      'p.start()',
      '',
    ].join('\n');
    const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.code}@${f.range.start.line + 1}`).sort();
    // A character typed in the docstring: the three module-level findings are carried over.
    const inDocstring = editBothWays(engine, source, source.indexOf('docstring'), 'x');
    assert.ok(inDocstring.incremental);
    assert.deepEqual(codes(inDocstring.incremental.findings), ['AIO301@12', 'AIO607@14', 'AIO709@5']);
    assert.deepEqual(codes(inDocstring.incremental.findings), codes(inDocstring.full.findings));
    assert.deepEqual(inDocstring.incremental.fresh.statements, [{ start: 0, end: source.indexOf('import asyncio') + 1 }]);
    assert.equal(inDocstring.incremental.state.outside.length, 3);
    // Fixing the deprecated call analyzes that statement afresh; the others keep their findings.
    const at = source.indexOf('get_event_loop');
    const fixed = editBothWays(engine, source, at, 'new_event_loop()  # ');
    assert.ok(fixed.incremental);
    assert.deepEqual(codes(fixed.incremental.findings), ['AIO301@12', 'AIO607@14']);
    assert.deepEqual(codes(fixed.incremental.findings), codes(fixed.full.findings));
    const statement = fixed.incremental.fresh.statements;
    assert.equal(statement.length, 1);
    assert.ok(statement[0]!.start <= at && at < statement[0]!.end && statement[0]!.end <= fixed.edited.indexOf('async def'), JSON.stringify(statement));
    // A new statement typed on a blank line between two others is analyzed with its neighbours only.
    const typed = editBothWays(engine, source, source.indexOf('p.start()'), 'asyncio.ensure_future(work())\n');
    assert.ok(typed.incremental);
    assert.deepEqual(codes(typed.incremental.findings), ['AIO301@12', 'AIO301@14', 'AIO607@15', 'AIO709@5']);
    assert.deepEqual(codes(typed.incremental.findings), codes(typed.full.findings));
    assert.ok(typed.incremental.fresh.statements.every((s) => s.start > typed.edited.indexOf('async def')), JSON.stringify(typed.incremental.fresh.statements));
  });

  it('looks for where a lambda runs on a thread in the function it is written in, not in every function', () => {
    const others = Array.from({ length: 20 }, (_, i) => `async def other_${i}():\n    await asyncio.to_thread(print, ${i})\n`).join('\n\n');
    const source = [
      'import asyncio',
      '',
      '',
      'async def inline():',
      '    loop = asyncio.get_running_loop()',
      '    await loop.run_in_executor(None, lambda: asyncio.ensure_future(asyncio.sleep(1)))',
      '',
      '',
      others,
    ].join('\n');
    const at = source.indexOf('sleep(1)') + 'sleep(1'.length;
    const { incremental, full } = editBothWays(engine, source, at, '2');
    assert.ok(incremental);
    assert.deepEqual(incremental.findings.map(key), full.findings.map(key));
    assert.deepEqual(incremental.findings.map((f) => `${f.code}@${f.range.start.line + 1}`), ['AIO604@6']);
    assert.equal(incremental.built, 1, 'only the edited function is built');
  });

  it('finds where each function runs on a thread on a lazy model as the full search does (examples and rule fixtures)', () => {
    let launched = 0;
    const files = [...pythonFiles(path.join(REPO_ROOT, 'examples')), ...pythonFiles(path.join(REPO_ROOT, 'test/fixtures/rules'))];
    for (const file of files) {
      const source = fs.readFileSync(file, 'utf8');
      const tree = engine.parse(source);
      const expected = threadTargets(new SemanticModel(tree.rootNode, undefined, { source }));
      const lazy = serverModel(tree, source);
      for (const node of tree.rootNode.descendantsOfType(['function_definition', 'lambda'])) {
        const fn = lazy.scopeOfNode(node)?.fn;
        if (!fn) continue;
        const want = expected.get(node.id);
        if (want) launched++;
        const where = `${path.relative(REPO_ROOT, file)}:${node.startPosition.row + 1}`;
        assert.equal(threadLaunchOf(lazy, fn)?.site.startIndex, want?.site.startIndex, where);
      }
      tree.delete();
    }
    assert.ok(launched > 30, `only ${launched} functions run on threads`);
  });

  it('keeps a def that error recovery leaves outside another def body in that function (chunks never nest)', () => {
    // More functions than are re-analyzed for a syntax change: some are carried over, so the analysis is incremental.
    const before = Array.from({ length: MAX_RESYNTAXED_CHUNKS + 1 }, (_, i) => `def before${i}():\n    pass\n\n`).join('');
    const text = [
      'import trio',
      '',
      '',
      before,
      'def outer():',
      '    async def agen(label):',
      '        try:',
      '            yield 1',
      '        finally:',
      '            try:',
      '                await trio.sleep(0)',
      '            except trio.Cancelled:',
      '                pass',
      '',
      '    async def trio_main():',
      '        with trio.fail_after(1):',
      '            await done_evt.wait()',
      '',
      '        await agen("trio").asend(None)',
      '',
    ].join('\n');
    // A stray character makes tree-sitter put `agen` in an ERROR child of `outer`, beside its body.
    const { incremental, full, edited } = editBothWays(engine, text, text.indexOf('  await agen("trio")'), '.');
    const tree = engine.parse(edited);
    try {
      assert.equal(tree.rootNode.descendantForIndex(edited.indexOf('agen'))?.parent?.parent?.type, 'ERROR');
      for (const model of [new SemanticModel(tree.rootNode, undefined, { source: edited }), serverModel(tree, edited)]) {
        assert.deepEqual(model.chunks.map((c) => c.fn.name).slice(-2), [`before${MAX_RESYNTAXED_CHUNKS}`, 'outer']);
      }
    } finally {
      tree.delete();
    }
    assert.deepEqual(full.findings.map((f) => f.code), ['AIO401']);
    assert.deepEqual(incremental?.findings.map(key), full.findings.map(key));
  });

  it('an empty name from error recovery is never searched for (it would match at every offset)', function () {
    this.timeout(10_000);
    // The stray `:` makes tree-sitter bind a missing (empty) name to `runner.app`, which mentions `run`.
    const source = [
      'import asyncio',
      '',
      '',
      'class Worker:',
      '    def run(self) -> None:',
      '        self._task = self.loop.create_task(self._run())',
      '',
      '    async def _run(self) -> None:',
      '        if isinstance(self.wsgi, Application):',
      '            app = self.wsgi',
      '        elif asyncio.iscoroutinefunction(self.wsgi):',
      '            wsgi = await self.wsgi()',
      '            if isinstance(wsgi, web.AppRunner):',
      '                runner = wsgi',
      '  :              app = runner.app',
      '            else:',
      '                app = wsgi',
      '',
    ].join('\n');
    const tree = engine.parse(source);
    const lazy = serverModel(tree, source);
    assert.ok(lazy.module.bindings.has(''), 'the error recovery this test relies on');
    const run = lazy.chunks.find((c) => c.fn.name === 'run');
    assert.ok(run);
    assert.equal(threadLaunchOf(lazy, run.fn), undefined);
    assert.deepEqual(lazy.outsideNodesContaining(['']), []);
    tree.delete();
  });

  it('looks for thread launches outside functions only where a threading API is named', () => {
    const source = [
      '"""Runs jobs via to_thread."""',
      'import threading',
      'from threading import Thread as T',
      '',
      'def work():',
      '    pass',
      '',
      'def other():',
      '    threading.Timer(1, work)',
      '',
      'T(target=work).start()',
      '',
    ].join('\n');
    const tree = engine.parse(source);
    const lazy = serverModel(tree, source);
    assert.equal(lazy.outsideMentions('to_thread'), true, 'the docstring is outside functions');
    assert.equal(lazy.outsideMentions('Timer'), false, 'only inside `other`');
    const found = lazy.outsideNodesContaining(['Thread']).map((n) => `${n.type} ${n.text.split('\n')[0]}`);
    // `T` is an alias of `Thread`: the call through it is found too; nothing inside a function is.
    assert.ok(found.includes('call T(target=work).start()'), found.join('; '));
    assert.ok(found.includes('call T(target=work)'), found.join('; '));
    assert.ok(!found.some((f) => f.includes('Timer')), found.join('; '));
    assert.ok(lazy.chunks.every((c) => !c.built), 'no body was built');
    tree.delete();
  });

  it('a full analysis in slices finds what the one-pass analysis finds (examples and rule fixtures)', () => {
    const files = [...pythonFiles(path.join(REPO_ROOT, 'examples')), ...pythonFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'rules'))].sort();
    let slices = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const tree = engine.parse(text);
      const steps = analyzeInSlices(tree, text, {}, undefined, 0);
      let step = steps.next();
      while (!step.done) {
        slices++;
        step = steps.next();
      }
      assert.deepEqual(step.value.findings.map(key), analyzeTree(tree, text).findings.map(key), path.relative(REPO_ROOT, file));
      tree.delete();
    }
    assert.ok(slices > 100, `only ${slices} slices`);
  });

  it('a model built in slices (256 nodes at a time) is the model built at once, lazy or not, shallow or not', () => {
    const files = [...pythonFiles(path.join(REPO_ROOT, 'examples')), ...pythonFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'rules'))].sort();
    const shape = (model: SemanticModel) => ({
      chunks: model.chunks.map((c) => [c.start, c.end, c.fn.name]),
      outside: model.outsideList.map((n) => n.id),
      topLevel: model.topLevel.length,
      bindings: [...model.module.bindings].map(([name, list]) => [name, list.map((b) => [b.kind, b.at])]),
      imported: [...model.importedModules].sort(),
    });
    let sliced = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const tree = engine.parse(text);
      for (const options of [{}, { lazyBodies: true, source: text }, { lazyBodies: true, source: text, shallowOutside: true }]) {
        const once = new SemanticModel(tree.rootNode, undefined, options);
        const inSlices = new SemanticModel(tree.rootNode, undefined, { ...options, inSlices: true });
        let calls = 1;
        while (!inSlices.buildSome(() => true)) calls++;
        if (calls > 1) sliced++;
        assert.deepEqual(shape(inSlices), shape(once), path.relative(REPO_ROOT, file));
      }
      tree.delete();
    }
    assert.ok(sliced > 10, `only ${sliced} models built in more than one slice`);
  });

  it("the engine's sliced analysis equals `analyze`, also when a syntax error needs the repaired copy", () => {
    const files = pythonFiles(path.join(REPO_ROOT, 'examples')).sort();
    let repaired = 0;
    for (const file of files) {
      const clean = fs.readFileSync(file, 'utf8');
      // An unclosed bracket at the top of the file hides what follows from a plain parse.
      const firstDef = clean.search(/^(async def|def|class) /m);
      for (const text of [clean, clean.slice(0, firstDef) + 'pending = (\n' + clean.slice(firstDef)]) {
        const tree = engine.parse(text);
        const steps = engine.analyzeInSlices(tree, text, {}, undefined, 0);
        let step = steps.next();
        while (!step.done) step = steps.next();
        const oneGo = engine.analyze(tree, text);
        assert.deepEqual(step.value.findings.map(key), oneGo.findings.map(key), `${path.relative(REPO_ROOT, file)}${text === clean ? '' : ' with an unclosed bracket'}`);
        if (tree.rootNode.hasError && oneGo.findings.length > analyzeTree(tree, text).findings.length) repaired++;
        // Dropped half-way, as the server does when the document changes: nothing is left behind.
        const dropped = engine.analyzeInSlices(tree, text, {}, undefined, 0);
        dropped.next();
        assert.deepEqual(dropped.return(undefined as never), { done: true, value: undefined });
        tree.delete();
      }
    }
    assert.ok(repaired > 0, 'the repaired copy found something in at least one file');
  });

  it('parses the repaired copy from the broken tree as a parse from nothing would (every node, offset and position)', () => {
    const parser = { parse: (text: string, previous?: Tree) => engine.parse(text, previous) };
    const shape = (tree: Tree): string[] => {
      const out: string[] = [];
      const cursor = tree.walk();
      for (;;) {
        const { startPosition: s, endPosition: e } = cursor;
        out.push(`${cursor.nodeType} ${cursor.startIndex}-${cursor.endIndex} ${s.row}:${s.column}-${e.row}:${e.column}`);
        if (cursor.gotoFirstChild()) continue;
        while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out;
      }
    };
    let compared = 0;
    for (const file of pythonFiles(path.join(REPO_ROOT, 'examples')).sort()) {
      const clean = fs.readFileSync(file, 'utf8');
      const defs = [...clean.matchAll(/^(?:async def|def|class) /gm)].map((m) => m.index);
      if (defs.length < 2) continue;
      const middle = defs[Math.floor(defs.length / 2)]!;
      const broken = [
        clean.slice(0, defs[0]) + 'pending = (\n' + clean.slice(defs[0]),
        clean.slice(0, middle) + 'def broken(:\n    "unclosed\n' + clean.slice(middle),
        // The last chunk broken, with no line break at the end: its end is a column on the last line.
        clean.trimEnd() + '\ndef tail(x:\n    return x √',
        (clean.slice(0, middle) + 'x = [1,\n' + clean.slice(middle)).replace(/\n/g, '\r\n'),
      ];
      for (const text of broken) {
        const tree = engine.parse(text);
        const repair = runToEnd(repairedSourceInSlices(text, parser, Infinity));
        assert.ok(repair, `${path.relative(REPO_ROOT, file)}: something to blank out`);
        const fresh = engine.parse(repair.text);
        const incremental = parseRepaired(parser, tree, repair);
        assert.deepEqual(shape(incremental), shape(fresh), path.relative(REPO_ROOT, file));
        assert.equal(shape(tree).join('\n').length > 0, true, 'the broken tree is left as it was, and usable');
        compared++;
        for (const t of [tree, fresh, incremental]) t.delete();
      }
    }
    assert.ok(compared >= 8, `compared ${compared}`);
  });

  it('re-analyzes at most a few functions whose syntax, not text, an edit changed', () => {
    const methods = Array.from({ length: 20 }, (_, i) => `    async def m${i}(self):\n        time.sleep(${i})\n`).join('\n');
    const text = `import time\n\nclass Service:\n${methods}`;
    // A character at the start of a line in the first method ends the class there: every later method becomes a function.
    const at = text.indexOf('        time.sleep(0)');
    const { incremental, full } = editBothWays(engine, text, at, 'x');
    assert.ok(incremental, 'the other functions are carried over');
    assert.ok(incremental.analyzed <= 1 + MAX_RESYNTAXED_CHUNKS, `${incremental.analyzed} functions analyzed afresh`);
    assert.ok(incremental.reused >= 20 - 1 - MAX_RESYNTAXED_CHUNKS, `${incremental.reused} carried over`);
    // Carried-over findings keep their place; the settling full analysis has the final word.
    assert.equal(incremental.findings.filter((f) => f.code === 'AIO101').length, full.findings.filter((f) => f.code === 'AIO101').length);
  });

  it('leaves an edit that pulls most of a large file into the edited function to a full analysis', () => {
    const functions = Array.from({ length: 8000 }, (_, i) => `async def f${i}():\n    value = compute(${i})\n    return value\n`).join('\n\n');
    const text = `import time\n\n${functions}`;
    assert.ok(text.length > MAX_FRESH_CHARS * 1.5);
    // An unclosed bracket early on swallows the functions after it into the edited one.
    const unclosed = editBothWays(engine, text, text.indexOf('compute(3)'), '(');
    assert.equal(unclosed.incremental, undefined);
    // The same bracket in the last function leaves the rest to be carried over.
    const late = editBothWays(engine, text, text.indexOf('compute(7998)'), '(');
    assert.ok(late.incremental);
    assert.ok(late.incremental.analyzed <= 2, `${late.incremental.analyzed} analyzed`);
  });

  it('reuses every function for whitespace between statements, and after an edit outside functions re-analyzes that code only', () => {
    const text = 'import time\n\nasync def a():\n    time.sleep(1)\n\nasync def b():\n    time.sleep(2)\n';
    const blank = editBothWays(engine, text, text.indexOf('\nasync def b'), '\n');
    assert.ok(blank.incremental, 'a blank line between functions is reused');
    assert.equal(blank.incremental.analyzed, 0);
    assert.deepEqual(blank.incremental.findings.map(key), blank.full.findings.map(key), 'positions below the blank line moved');
    // `from timex import sleep`: the functions' findings are carried over until the full analysis settles them.
    const imported = 'from time import sleep\n\nasync def a():\n    sleep(1)\n\nasync def b():\n    sleep(2)\n';
    const renamed = editBothWays(engine, imported, imported.indexOf(' import'), 'x');
    assert.ok(renamed.incremental);
    assert.equal(renamed.incremental.analyzed, 0);
    assert.deepEqual(renamed.incremental.findings.map((f) => f.code), ['AIO101', 'AIO101']);
    assert.deepEqual(renamed.full.findings.map((f) => f.code), []);
  });

  it('carries over a finding that depends on an edited helper until a full analysis settles it', () => {
    const text = 'import time\n\ndef helper():\n    pass\n\nasync def handler():\n    helper()\n';
    const at = text.indexOf('pass');
    const { incremental, full } = editBothWays(engine, text, at, 'time.sleep(1)\n    ');
    assert.ok(incremental);
    assert.equal(incremental.analyzed, 1, 'only the helper is analyzed again');
    assert.deepEqual(full.findings.map((f) => f.code), ['AIO112']);
    assert.deepEqual(incremental.findings.map((f) => f.code), [], 'the caller still shows what it had');
  });

  it('the server publishes the incremental result, then the settled full one', async () => {
    const client = new LspClient();
    await client.initialize();
    try {
      const uri = 'file:///incremental/settle.py';
      const text = 'import time\n\ndef helper():\n    pass\n\nasync def handler():\n    helper()\n';
      await client.open(uri, text);
      const opened = await client.diagnostics(uri, (p) => p.version === 1);
      assert.deepEqual(opened.diagnostics, []);
      const line = 3;
      await client.change(uri, 2, [{ range: { start: { line, character: 4 }, end: { line, character: 8 } }, text: 'time.sleep(1)' }]);
      const quick = await client.diagnostics(uri, (p) => p.version === 2);
      assert.deepEqual(quick.diagnostics.map((d) => d.code), [], 'the edited helper itself has no finding; the caller is carried over');
      // Without the request, the full analysis comes once typing pauses (300 ms).
      const mark = client.published.length;
      const settled = await client.diagnostics(uri, (p) => p.version === 2, mark, 5_000);
      assert.deepEqual(settled.diagnostics.map((d) => d.code), ['AIO112']);
      assert.equal(await client.connection.sendRequest('asyncPitfalls/settle', { uri }), 2);
    } finally {
      await client.shutdown();
    }
  });

  it('the incrementalAnalysis setting turns it off: every edit gets a full analysis', async () => {
    const client = new LspClient();
    await client.initialize(undefined, { asyncPitfalls: { incrementalAnalysis: false } });
    try {
      const uri = 'file:///incremental/off.py';
      await client.open(uri, 'import time\n\ndef helper():\n    pass\n\nasync def handler():\n    helper()\n');
      await client.diagnostics(uri, (p) => p.version === 1);
      await client.change(uri, 2, [{ range: { start: { line: 3, character: 4 }, end: { line: 3, character: 8 } }, text: 'time.sleep(1)' }]);
      const published = await client.diagnostics(uri, (p) => p.version === 2);
      assert.deepEqual(published.diagnostics.map((d) => d.code), ['AIO112']);
    } finally {
      await client.shutdown();
    }
  });
});

describe('edits of text nothing reads: comments and docstrings outside functions', () => {
  const SOURCE = [
    '"""A module docstring."""',
    'import time  # a comment',
    '# a comment of its own',
    'print("a string argument")',
    'f"""an f-string statement"""',
    '',
    '',
    'class Service:',
    '    """A class docstring."""',
    '',
    '    async def run(self):',
    '        # a comment in a function',
    '        time.sleep(1)',
    '',
    '',
    'async def main():',
    '    time.sleep(2)',
    '',
  ].join('\n');
  const key = (f: Finding) => JSON.stringify([f.code, f.range, f.message, f.related, f.fixes]);

  /** Inserts `inserted` at `at` of `source`, on its tree: the result of `keptForTextOnlyEdit`, and what a full analysis finds. */
  async function typeInto(source: string, at: number, inserted: string) {
    const engine = await testEngine();
    const tree = engine.parse(source);
    try {
      const first = analyzeTree(tree, source);
      const change = insertion(source, at, inserted);
      const text = source.slice(0, at) + inserted + source.slice(at);
      tree.edit(new Edit(change));
      const kept = keptForTextOnlyEdit(tree, source, text, chunkedFindings(first, first.chunks ?? []), [change]);
      const fresh = engine.parse(text);
      const full = analyzeTree(fresh, text).findings;
      fresh.delete();
      return { kept, full };
    } finally {
      tree.delete();
    }
  }

  /** Inserts `inserted` after the first `after` of SOURCE (see `typeInto`). */
  const typeAfter = (after: string, inserted: string) => typeInto(SOURCE, SOURCE.indexOf(after) + after.length, inserted);

  it('moves every finding without parsing when a comment or a docstring outside functions is typed in', async () => {
    for (const [after, inserted] of [
      ['A module', ' small'],
      ['A class', 'n important'],
      ['# a comment', ' more words ('],
      ['# a comment of', ' x'],
    ] as const) {
      const { kept, full } = await typeAfter(after, inserted);
      assert.ok(kept, `${after}: kept`);
      assert.ok(full.length >= 2);
      assert.deepEqual(kept.findings.map(key), full.map(key), `${after}: the findings of a full analysis`);
    }
  });

  it('moves every finding without parsing when whitespace is typed or erased at the end of a line outside functions', async () => {
    const engine = await testEngine();
    const source = [
      'import time',
      'x = (1 +',
      '     2)',
      'y = 1 + \\',
      '    2',
      's = """one',
      'two',
      '"""',
      '',
      'class Service:',
      '    limit = 3',
      '',
      '    async def run(self):',
      '        time.sleep(1)',
      '',
      'async def main():',
      '    time.sleep(2)',
      '',
    ].join('\n');
    const endOf = (line: string) => source.indexOf(line) + line.length;
    for (const [label, at, inserted] of [
      ['a class line', endOf('class Service:'), '  '],
      ['a class attribute', endOf('    limit = 3'), ' '],
      ['inside brackets', endOf('x = (1 +'), '\t'],
      ['a blank line in a class', endOf('    limit = 3\n'), '    '],
      ['an import', endOf('import time'), ' '],
    ] as const) {
      const { kept, full } = await typeInto(source, at, inserted);
      assert.ok(kept, `${label}: kept`);
      assert.deepEqual(kept.findings.map(key), full.map(key), `${label}: the findings of a full analysis`);
    }
    for (const [label, at, inserted] of [
      ['after a backslash', endOf('y = 1 + \\'), ' '],
      ['a line of a triple-quoted string', endOf('s = """one'), ' '],
      ['a blank-looking line of a string', endOf('s = """one\ntwo\n'), ' '],
      ['in a function', endOf('    time.sleep(2)'), ' '],
      ['before the end of a line', source.indexOf('limit'), ' '],
    ] as const) {
      assert.equal((await typeInto(source, at, inserted)).kept, undefined, label);
    }
    // Erased again: a space at the end of the class line, deleted.
    const spaced = source.replace('class Service:', 'class Service: ');
    const tree = engine.parse(spaced);
    try {
      const first = analyzeTree(tree, spaced);
      const at = spaced.indexOf('class Service: ') + 'class Service:'.length;
      const change = deletion(spaced, at, 1);
      tree.edit(new Edit(change));
      assert.ok(keptForTextOnlyEdit(tree, spaced, source, chunkedFindings(first, first.chunks ?? []), [change]), 'a trailing space erased');
    } finally {
      tree.delete();
    }
  });

  it('leaves everything else to the analysis: quotes, line breaks, suppressions, strings that are values, f-strings, functions', async () => {
    for (const [after, inserted] of [
      ['A module', '"'],
      ['A module', '\n'],
      ['A module', '\\'],
      ['# a comment', ' noqa'],
      ['import time  # a', ' type: ignore'],
      ['a string', ' x'],
      ['an f-string', ' {x}'],
      ['an f-string', ' x'],
      ['# a comment in', ' x'],
      ['import ti', 'x'],
    ] as const) {
      const { kept } = await typeAfter(after, inserted);
      assert.equal(kept, undefined, `${after} + ${JSON.stringify(inserted)}`);
    }
  });
});
