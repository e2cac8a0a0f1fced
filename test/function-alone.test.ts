/**
 * While typing stays inside function bodies, the language server re-parses only the edited
 * function (`analyzeEditedFunction`) and leaves the tree of the whole file edited but stale until
 * typing pauses. These tests drive that path as the server does and compare it with a full analysis.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit, type Tree } from 'web-tree-sitter';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol';
import { analyzeTree } from '../server/src/core/analyze';
import type { Engine } from '../server/src/core/engine';
import { analyzeEditedFunction, analyzeWhileTyping, catchUpTree, chunkedFindings, type ChunkedFindings, type EditedFunctionResult, type FunctionSpan, type TextChange, type TypingModel, type TypingStep } from '../server/src/core/incremental';
import type { Finding } from '../server/src/core/types';
import { collectPythonFiles } from '../server/src/workspace/files';
import { deletion, editChain, ERASE, insertion } from './helpers/edit-chain';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { LspClient } from './helpers/lsp-client';

const key = (f: Finding) => JSON.stringify([f.code, f.range, f.message, f.related, f.fixes]);
const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.code}@${f.range.start.line + 1}`);

/** A document while typing goes on, as the server keeps it: a stale tree, the last findings, what is stale, the model to carry over. */
abstract class TypingDocument {
  text: string;
  protected tree: Tree;
  protected state: ChunkedFindings;
  protected edited: FunctionSpan | undefined;
  protected typing: TypingModel | undefined;

  constructor(
    protected readonly engine: Engine,
    text: string,
  ) {
    this.text = text;
    this.tree = engine.parse(text);
    const first = analyzeTree(this.tree, text);
    this.state = chunkedFindings(first, first.chunks ?? []);
  }

  /** Makes `change` (which inserts `inserted`) to the text and the tree; the text before it. */
  protected applyText(change: TextChange, inserted: string): string {
    const analyzed = this.text;
    this.text = this.text.slice(0, change.startIndex) + inserted + this.text.slice(change.oldEndIndex);
    this.tree.edit(new Edit(change));
    return analyzed;
  }

  /** As the server does when nothing could be reused: the whole file re-parsed (here with a full analysis, simpler than an incremental one). */
  protected reparseWhole(): void {
    const next = this.engine.parse(this.text, this.tree);
    this.tree.delete();
    this.tree = next;
    const analysis = analyzeTree(next, this.text);
    this.state = chunkedFindings(analysis, analysis.chunks ?? []);
    this.edited = undefined;
    this.typing?.dispose();
    this.typing = undefined;
  }

  /** What a full analysis of the text as it is finds. */
  full(): Finding[] {
    const fresh = this.engine.parse(this.text);
    try {
      return analyzeTree(fresh, this.text).findings;
    } finally {
      fresh.delete();
    }
  }

  dispose(): void {
    this.typing?.dispose();
    this.tree.delete();
  }
}

/** Each edit through `analyzeEditedFunction`: the function parsed alone, or the whole file re-parsed. */
class Typist extends TypingDocument {
  /** With `carry`, the model of each keystroke is carried over to the next one when it can be, as the server does. */
  constructor(
    engine: Engine,
    text: string,
    private readonly carry = false,
  ) {
    super(engine, text);
  }

  /** Inserts `inserted` before the first occurrence of `before`; the result when the edited function was parsed alone. */
  type(before: string, inserted: string): EditedFunctionResult | undefined {
    const at = this.text.indexOf(before);
    assert.ok(at >= 0, `no ${JSON.stringify(before)}`);
    return this.insert(at, inserted);
  }

  /** Deletes `length` characters (on one line) at `at`. */
  remove(at: number, length: number): EditedFunctionResult | undefined {
    return this.apply(deletion(this.text, at, length), '');
  }

  insert(at: number, inserted: string): EditedFunctionResult | undefined {
    return this.apply(insertion(this.text, at, inserted), inserted);
  }

  private apply(change: TextChange, inserted: string): EditedFunctionResult | undefined {
    this.applyText(change, inserted);
    const alone = analyzeEditedFunction((t, range) => this.engine.parseRange(t, range), this.tree, this.text, {}, undefined, this.state, [change], this.edited, this.typing, this.carry);
    this.typing = alone?.typing;
    if (alone) {
      this.state = alone.result.state;
      this.edited = alone.edited;
    } else {
      this.reparseWhole();
    }
    return alone;
  }

  /**
   * Inserts `inserted` before (or `after`) the first occurrence of `before`, which must be parsed alone,
   * on the model of the keystroke before when `carried`, and analyzed as a full analysis does.
   */
  check(before: string, inserted: string, carried: boolean, after = false): EditedFunctionResult {
    const at = this.text.indexOf(before);
    assert.ok(at >= 0, `no ${JSON.stringify(before)}`);
    const alone = this.insert(after ? at + before.length : at, inserted);
    assert.ok(alone, `${JSON.stringify(inserted)} parsed alone`);
    assert.equal(alone.reusedModel, carried, `${JSON.stringify(inserted)}: model carried over`);
    assert.deepEqual(alone.result.findings.map(key), this.full().map(key), `${JSON.stringify(inserted)}: as a full analysis`);
    return alone;
  }
}

/**
 * The server's state for one document while typing goes on, each edit through `analyzeWhileTyping`
 * as the server makes it (outside functions too); where it gives up, the whole file is re-parsed.
 */
class ServerTypist extends TypingDocument {
  /** Inserts `inserted` at `at`, or deletes `removed` characters there; the step as the server takes it. */
  edit(at: number, inserted: string, removed = 0): TypingStep {
    const change = removed ? deletion(this.text, at, removed) : insertion(this.text, at, inserted);
    const analyzed = this.applyText(change, inserted);
    const step = analyzeWhileTyping(this.engine, this.tree, this.text, analyzed, {}, undefined, this.state, [change], this.edited, this.typing);
    this.typing = step.alone?.typing ?? step.typing;
    this.tree = step.tree!;
    this.edited = step.edited;
    const result = step.alone?.result ?? step.moduleLevel ?? step.textOnly;
    if (result) this.state = result.state;
    else this.reparseWhole();
    return step;
  }
}

/** A language server that logs the timing and kind of each analysis (`ASYNC_PITFALLS_TIMINGS`), initialized. */
async function timingClient(): Promise<LspClient> {
  const previous = process.env.ASYNC_PITFALLS_TIMINGS;
  process.env.ASYNC_PITFALLS_TIMINGS = '1';
  const client = new LspClient();
  if (previous === undefined) delete process.env.ASYNC_PITFALLS_TIMINGS;
  else process.env.ASYNC_PITFALLS_TIMINGS = previous;
  await client.initialize();
  return client;
}

/** Opens SOURCE, waits for its diagnostics and for the model for typing, built while the editor is idle after the full analysis. */
async function openSourceForTyping(client: LspClient, uri: string): Promise<void> {
  await client.open(uri, SOURCE);
  await client.diagnostics(uri, (p) => p.version === 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Opens a file of 12,000 lines (1,500 functions, the one at line 5 first) and waits for its diagnostics. */
async function openLargeFile(client: LspClient, uri: string): Promise<string> {
  const source = Array.from({ length: 1500 }, (_, i) => `LIMIT_${i} = ${i}\n\n\nasync def task_${i}(value):\n    await other(value, LIMIT_${i})\n    return value\n\n\n`).join('');
  await client.open(uri, source);
  await client.diagnostics(uri, (p) => p.version === 1);
  return uri;
}

const SOURCE = [
  'import time',
  '',
  '',
  'async def first():',
  '    await other()',
  '',
  '',
  'async def second():',
  '    time.sleep(1)',
  '',
  '',
  'def later():',
  '    time.sleep(2)',
  '',
].join('\n');

describe('editing inside functions: the edited function parsed alone', function () {
  this.timeout(300_000);
  let engine: Engine;

  before(async () => {
    engine = await testEngine();
  });

  it('analyzes the edited function parsed alone against the stale tree of the rest, as a full analysis does', () => {
    const typist = new Typist(engine, SOURCE);
    try {
      // `later` is defined after the edit: resolving it reads the stale tree where the edit moved it.
      const first = typist.type('await other()', 'later()\n    ');
      assert.ok(first, 'parsed alone');
      assert.deepEqual(first.edited, { start: SOURCE.indexOf('async def first'), end: typist.text.indexOf('await other()') + 'await other()'.length });
      assert.deepEqual(first.result.fresh.chunks.length, 1);
      const expected = typist.full();
      assert.deepEqual(brief(expected), ['AIO112@5', 'AIO101@10']);
      assert.deepEqual(first.result.findings.map(key), expected.map(key));
      first.dispose();

      // Typing goes on in the same function: still parsed alone, the tree still stale.
      const second = typist.type('await other()', 'x = 1\n    ');
      assert.ok(second, 'parsed alone');
      assert.deepEqual(second.edited, { start: SOURCE.indexOf('async def first'), end: typist.text.indexOf('await other()') + 'await other()'.length });
      assert.deepEqual(second.result.findings.map(key), typist.full().map(key));
      second.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('walks that cross functions, and suppression fixes, read the function parsed alone, not its stale copy', () => {
    const typist = new Typist(engine, SOURCE);
    try {
      const alone = typist.type('await other()', 'later()\n    ');
      assert.ok(alone);
      const model = alone.result.model;
      assert.ok(model);
      const names: string[] = [];
      model.forEachDescendant(model.root, (node) => {
        if (node.type === 'identifier') names.push(node.text);
      });
      assert.deepEqual(names, ['time', 'first', 'later', 'other', 'second', 'time', 'sleep', 'later', 'time', 'sleep']);
      // The row of the typed call: its tree is the function's own.
      assert.notEqual(model.rootForRow(4), model.root);
      assert.equal(model.rootForRow(4).text.trim(), 'async def first():\n    later()\n    await other()');
      assert.equal(model.rootForRow(9), model.root);
      alone.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('keeps a syntax error inside the function parsed alone while typing goes on', () => {
    const typist = new Typist(engine, SOURCE);
    try {
      const quote = typist.type('await other()', 'print("');
      assert.ok(quote, 'an unclosed string is parsed within its function');
      assert.deepEqual(brief(quote.result.findings), ['AIO101@9'], 'the other functions keep their findings');
      quote.dispose();
      const closed = typist.insert(typist.text.indexOf('print("') + 'print("'.length, 'done")\n    ');
      assert.ok(closed);
      assert.deepEqual(closed.result.findings.map(key), typist.full().map(key));
      closed.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('keeps the last findings, moved, while the edited function does not parse as a function (an open bracket)', () => {
    const source = ['import time', '', '', 'async def first():', '    time.sleep(1)', '    async with lock, other() as tg:', '        tg.start()', '', '', 'def later():', '    time.sleep(2)', ''].join('\n');
    const typist = new Typist(engine, source);
    try {
      const before = typist.full();
      assert.deepEqual(brief(before), ['AIO101@5']);
      const open = typist.type('async with lock', 'result = await fetch(\n    ');
      assert.ok(open, 'still handled without parsing the whole file');
      assert.equal(open.result.analyzed, 0, 'nothing analyzed afresh');
      assert.equal(open.result.model, undefined);
      assert.deepEqual(brief(open.result.findings), ['AIO101@5'], 'the finding before the bracket stays where it was');
      assert.deepEqual(open.result.state.chunks.map((c) => [c.start, c.end]), [
        [source.indexOf('async def first'), typist.text.indexOf('tg.start()') + 'tg.start()'.length],
        [typist.text.indexOf('def later'), typist.text.length - 1],
      ]);
      open.dispose();
      // Still open: typing goes on in the same function, the findings after the edit move with it.
      const more = typist.type('\n    async with lock', 'value');
      assert.ok(more);
      assert.equal(more.result.analyzed, 0);
      more.dispose();
      // Closing the bracket makes it a function again: analyzed afresh, as a full analysis does.
      const closed = typist.type('\n    async with lock', ')');
      assert.ok(closed);
      assert.equal(closed.result.analyzed, 1);
      assert.deepEqual(closed.result.findings.map(key), typist.full().map(key));
      assert.deepEqual(brief(closed.result.findings), ['AIO101@5']);
      closed.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('leaves the whole file to be re-parsed when an edit is not plainly inside one function', () => {
    const cases: Array<[string, string, string]> = [
      ['at the first character of a function', 'async def second', '@decorator\n'],
      ['between functions', '\n\nasync def second', 'x = 1\n'],
      ['that ends the function (a statement at module level after its last line)', '\n\n\ndef later', '\ny = 2'],
    ];
    for (const [what, before, inserted] of cases) {
      const typist = new Typist(engine, SOURCE);
      try {
        assert.equal(typist.type(before, inserted), undefined, what);
      } finally {
        typist.dispose();
      }
    }
  });

  it('keeps the last findings, moved, while an edit leaves lines indented as Python rejects (tree-sitter parses them without an error)', () => {
    const typist = new Typist(engine, SOURCE);
    try {
      // A line dedented to module level in the middle of a body: the rest of the body is an unexpected indent.
      const dedented = typist.type('    time.sleep(1)', 'y = 2\n');
      assert.ok(dedented, 'not left to the whole file');
      assert.equal(dedented.result.analyzed, 0);
      assert.deepEqual(brief(dedented.result.findings), ['AIO101@10']);
      const back = typist.remove(typist.text.indexOf('y = 2\n'), 'y = 2\n'.length);
      assert.ok(back);
      assert.deepEqual(back.result.findings.map(key), typist.full().map(key));
    } finally {
      typist.dispose();
    }
  });

  it('a method whose def line is commented out, or a character typed at column 0 between methods, keeps the findings until typed back', () => {
    const source = ['import time', '', '', 'class Store:', '    def __init__(self):', '        self.data = {}', '', '    async def put(self, key):', '        time.sleep(1)', '        self.data[key] = 1', '', '    async def get(self, key):', '        time.sleep(2)', ''].join('\n');
    const typist = new ServerTypist(engine, source);
    try {
      assert.deepEqual(brief(typist.full()), ['AIO101@9', 'AIO101@13']);
      // Commented out inside `async`: `asy` and a comment, then the body indented deeper than the class's statements.
      const comment = typist.edit(typist.text.indexOf('async def put') + 3, '#');
      assert.ok(comment.alone, 'parsed alone, not the whole file');
      assert.equal(comment.alone.result.analyzed, 0);
      assert.deepEqual(brief(comment.alone.result.findings), ['AIO101@9', 'AIO101@13']);
      const uncommented = typist.edit(typist.text.indexOf('asy#nc') + 3, '', 1);
      assert.ok(uncommented.alone);
      assert.deepEqual(uncommented.alone.result.findings.map(key), typist.full().map(key));
      // Typed at column 0 of the blank line before a method: the class would end there, its next methods a misindented module level.
      const at = typist.text.indexOf('\n\n    async def get') + 1;
      const typed = typist.edit(at, '7');
      assert.ok(typed.moduleLevel, 'the class parsed alone, not the whole file');
      assert.equal(typed.moduleLevel.analyzed, 0);
      assert.equal(typed.edited?.broken?.length, 1);
      assert.deepEqual(brief(typed.moduleLevel.findings), ['AIO101@9', 'AIO101@13']);
      const erased = typist.edit(at, '', 1);
      assert.ok(erased.moduleLevel);
      assert.equal(erased.edited?.broken, undefined, 'typed back: exact again');
      assert.deepEqual(erased.moduleLevel.findings.map(key), typist.full().map(key));
    } finally {
      typist.dispose();
    }
  });

  it('re-parses the whole file when typing moves to another function, then parses functions alone again', () => {
    const source = Array.from({ length: 3 }, (_, i) => `async def f${i}():\n    pass\n`).join('\n');
    const typist = new Typist(engine, source);
    try {
      const alone = typist.type('pass\n\nasync def f1', 'x = 1\n    ');
      assert.ok(alone);
      assert.equal(alone.edited.start, 0);
      alone.dispose();
      assert.equal(typist.type('pass\n\nasync def f2', 'x = 1\n    '), undefined);
      // The re-parse starts afresh: the next edit is parsed alone again.
      const next = typist.type('x = 1', 'y = 2\n    ');
      assert.ok(next);
      assert.equal(next.edited.start, 0);
      next.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('brings the function parsed alone into the tree without the new change, which is then parsed alone', () => {
    let text = SOURCE;
    const tree = engine.parse(text);
    const first = analyzeTree(tree, text);
    let state = chunkedFindings(first, first.chunks ?? []);
    const edit = (at: number, inserted: string) => {
      const change = insertion(text, at, inserted);
      text = text.slice(0, at) + inserted + text.slice(at);
      tree.edit(new Edit(change));
      return change;
    };
    const trees: Tree[] = [tree];
    try {
      const typed = edit(SOURCE.indexOf('await other()'), 'later()\n    ');
      const alone = analyzeEditedFunction((t, range) => engine.parseRange(t, range), tree, text, {}, undefined, state, [typed], undefined);
      assert.ok(alone);
      state = alone.result.state;
      alone.dispose();
      const analyzed = text;
      // An unclosed string in another function: not parsed alone while `first` is stale.
      const quote = edit(text.indexOf('time.sleep(1)'), 'print("');
      assert.equal(analyzeEditedFunction((t, range) => engine.parseRange(t, range), tree, text, {}, undefined, state, [quote], alone.edited), undefined);
      const caughtUp = catchUpTree((t, previous) => engine.parse(t, previous), tree, analyzed, [quote]);
      trees.push(caughtUp);
      // The tree is the last analyzed text's, edited for the new change: parsing the new text from it is the whole file's parse.
      const reparsed = engine.parse(text, caughtUp.copy());
      trees.push(reparsed);
      const fresh = engine.parse(text);
      trees.push(fresh);
      assert.equal(reparsed.rootNode.toString(), fresh.rootNode.toString());
      assert.equal(caughtUp.rootNode.hasError, false, 'the unclosed string is not in the caught-up tree');
      const next = analyzeEditedFunction((t, range) => engine.parseRange(t, range), caughtUp, text, {}, undefined, state, [quote], undefined);
      assert.ok(next, 'the other function is parsed alone now');
      assert.equal(next.edited.start, SOURCE.indexOf('async def second') + 'later()\n    '.length);
      next.dispose();
    } finally {
      for (const t of trees) t.delete();
    }
  });

  it('carries the model of the last keystroke over while typing stays in one function body, exact as a new one', () => {
    const source = [
      'import asyncio',
      'import threading',
      '',
      '',
      'def report(loop):',
      '    loop.call_soon(print, "x")',
      '',
      '',
      'async def main():',
      '    loop = asyncio.get_running_loop()',
      '    threading.Thread(target=report, args=(loop,)).start()',
      '',
      '',
      SOURCE,
    ].join('\n');
    const typist = new Typist(engine, source, true);
    const step = (before: string, inserted: string, carried: boolean) => typist.check(before, inserted, carried).dispose();
    try {
      assert.deepEqual(brief(typist.full()), ['AIO604@6', 'AIO605@11', 'AIO101@22']);
      step('loop.call_soon(print', 'a = 1\n    ', false);
      // The thread launch found for `report` the keystroke before is looked for again, not remembered.
      step('loop.call_soon(print', 'b = 2\n    ', true);
      step('loop.call_soon(print', 'time.sleep(1)\n    ', true);
      // A body with an import puts a module into the model: a new model.
      step('loop.call_soon(print', 'import os\n    ', false);
      step('loop.call_soon(print', 'c = 3\n    ', false);
    } finally {
      typist.dispose();
    }
    /** After a keystroke in the body, `parameter` typed into the `def` line's parameters. */
    const header = (parameter: string, carried: boolean) => {
      const other = new Typist(engine, source, true);
      try {
        assert.ok(other.type('loop.call_soon(print', 'a = 1\n    '));
        other.check('def report(loop', parameter, carried, true).dispose();
      } finally {
        other.dispose();
      }
    };
    // The `def` line itself: its parameters are bound with the body, the model is carried over.
    header(', extra', true);
    // A walrus in a default binds in the enclosing scope: a new model.
    header(', extra=(n := 1)', false);
  });

  it('carries the model over a function renamed: callers analyzed afresh see the new name', () => {
    const typist = new Typist(engine, SOURCE, true);
    try {
      typist.check('await other()', 'later()\n    ', false).dispose();
      assert.deepEqual(brief(typist.full()), ['AIO112@5', 'AIO101@10']);
      const renamed = typist.insert(typist.text.indexOf('def later') + 'def later'.length, 'X');
      assert.ok(renamed);
      assert.equal(renamed.reusedModel, true);
      renamed.dispose();
      // `first` calls `later()`, which is no function of this file now.
      const caller = typist.check('await other()', 'x = 1\n    ', true);
      assert.deepEqual(brief(caller.result.findings), ['AIO101@11']);
      caller.dispose();
      // And back: `later` is the blocking helper again.
      const back = typist.insert(typist.text.indexOf('def laterX') + 'def later'.length, '');
      assert.ok(back);
      back.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('carries the model over when typing moves to another function, without re-parsing the whole file, exact as a new one', () => {
    const typist = new Typist(engine, SOURCE, true);
    const step = (before: string, inserted: string, carried: boolean, after = false) => typist.check(before, inserted, carried, after);
    try {
      step('await other()', 'later()\n    ', false).dispose();
      // `second` while `first` is stale in the tree: the model has `first` as parsed alone.
      const moved = step('time.sleep(1)', 'await later()\n    ', true);
      assert.equal(moved.edited.staleElsewhere, true);
      assert.equal(moved.edited.start, typist.text.indexOf('async def second'));
      moved.dispose();
      // Back to `first`, then `later` (after both): offsets and nodes of the functions parsed alone moved.
      step('later()\n', 'x = 1\n    ', true).dispose();
      step('time.sleep(2)', '\n    time.sleep(3)', true, true).dispose();
      // An open bracket in `second`: parsed alone, the model still carried over; closing it needs no catch-up.
      const open = typist.type('await later()', 'print(');
      assert.ok(open);
      assert.ok(open.typing, 'the model is carried across the keystroke that does not parse');
      open.dispose();
      const closed = typist.insert(typist.text.indexOf('print(') + 'print('.length, ')\n    ');
      assert.ok(closed);
      assert.equal(closed.reusedModel, true);
      assert.deepEqual(closed.result.findings.map(key), typist.full().map(key));
      closed.dispose();
      // A space after the last token of `second`, then deleted: the function as it was, on the model carried over.
      const last = typist.text.indexOf('time.sleep(1)') + 'time.sleep(1)'.length;
      const space = typist.insert(last, ' ');
      assert.ok(space);
      assert.equal(space.reusedModel, true);
      space.dispose();
      const unspaced = typist.remove(last, 1);
      assert.ok(unspaced);
      assert.equal(unspaced.reusedModel, true);
      assert.deepEqual(unspaced.result.findings.map(key), typist.full().map(key));
      unspaced.dispose();
      // A line of `second` dedented to column 0: not one function any more, the findings kept, the model moved.
      const lineStart = typist.text.indexOf('    time.sleep(1)');
      const dedented = typist.insert(lineStart, 'x');
      assert.ok(dedented);
      assert.equal(dedented.result.analyzed, 0);
      assert.ok(dedented.typing);
      dedented.dispose();
      // Deleted again: one function, analyzed on the model carried through.
      const back = typist.remove(lineStart, 1);
      assert.ok(back);
      assert.equal(back.reusedModel, true);
      assert.deepEqual(back.result.findings.map(key), typist.full().map(key));
      back.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('carries the model over an edit to a method that gives its class an instance attribute; another method assigning it then counts', () => {
    // `run` runs on a thread: its fix schedules the coroutine on the first loop among the instance attributes.
    const source = ['import asyncio', 'import threading', '', '', 'async def work():', '    pass', '', '', 'class Worker:', '    def __init__(self):', '        self.handle = asyncio.get_running_loop()', '', '    def reset(self):', '        self.handle = asyncio.get_running_loop()', '', '    def run(self):', '        asyncio.create_task(work())', '', '    async def start(self):', '        threading.Thread(target=self.run).start()', ''].join('\n');
    const typist = new Typist(engine, source, true);
    const loopInFix = (findings: readonly Finding[]) => findings.find((f) => f.code === 'AIO604')?.fixes[0]?.edits[0]?.newText;
    try {
      assert.equal(loopInFix(typist.full()), 'asyncio.run_coroutine_threadsafe(work(), self.handle)');
      typist.check('asyncio.create_task', 'x = 1\n        ', false).dispose();
      // `__init__` assigns `self.hanXdle` now, `reset` still `self.handle`: the first in the file is the new one.
      const init = typist.insert(typist.text.indexOf('self.handle = asyncio') + 'self.han'.length, 'X');
      assert.ok(init);
      assert.equal(init.reusedModel, true);
      init.dispose();
      const run = typist.check('x = 1', 'y = 2\n        ', true);
      assert.equal(loopInFix(run.result.findings), 'asyncio.run_coroutine_threadsafe(work(), self.hanXdle)');
      run.dispose();
    } finally {
      typist.dispose();
    }
  });

  it('outside functions: code that does not parse keeps the findings, moved, until it is typed back or parses', () => {
    const typist = new ServerTypist(engine, SOURCE);
    const edit = (at: number, inserted: string, removed = 0) => typist.edit(at, inserted, removed);
    const full = () => typist.full();
    try {
      assert.deepEqual(brief(full()), ['AIO101@9']);
      const typed = edit(typist.text.indexOf('await other()'), 'later()\n    ');
      assert.ok(typed.alone?.typing);
      typed.alone.dispose();
      // An open bracket between two functions: nothing parsed but those lines, nothing analyzed.
      const at = typist.text.indexOf('\n\nasync def second') + 1;
      const open = edit(at, '(');
      assert.ok(open.moduleLevel, 'handled without parsing the whole file');
      assert.equal(open.moduleLevel.analyzed, 0);
      assert.deepEqual(brief(open.moduleLevel.findings), ['AIO112@5', 'AIO101@10']);
      assert.equal(open.edited?.broken?.length, 1);
      assert.ok(open.typing, 'the model is carried across');
      // Deleted again: the text the last analysis saw, so its findings are exact again.
      const back = edit(at, '', 1);
      assert.ok(back.moduleLevel);
      assert.equal(back.edited?.broken, undefined);
      assert.deepEqual(back.moduleLevel.findings.map(key), full().map(key));
      // Typing in a function goes on on the same model.
      const next = edit(typist.text.indexOf('time.sleep(1)'), 'y = 2\n    ');
      assert.ok(next.alone);
      assert.equal(next.alone.reusedModel, true);
      assert.deepEqual(next.alone.result.findings.map(key), full().map(key));
      next.alone.dispose();
      // Typed before an import's first token (off column 0 now): the region still starts at the line.
      const before = edit(typist.text.indexOf('import time'), '5');
      assert.ok(before.moduleLevel);
      const unbefore = edit(typist.text.indexOf('5import time'), '', 1);
      assert.ok(unbefore.moduleLevel);
      assert.deepEqual(unbefore.moduleLevel.findings.map(key), full().map(key));
      // A keyword half typed in an import line does not parse either.
      const keyword = edit(typist.text.indexOf('import time') + 3, 'x');
      assert.ok(keyword.moduleLevel);
      const fixed = edit(typist.text.indexOf('impxort') + 3, '', 1);
      assert.ok(fixed.moduleLevel);
      assert.deepEqual(fixed.moduleLevel.findings.map(key), full().map(key));
      // A name typed on a line of its own, then a comment: statements no rule reads, analyzed in effect (none found).
      const name = edit(typist.text.indexOf('\n\nasync def second') + 1, 't');
      assert.ok(name.moduleLevel, 'a name on a line of its own');
      assert.deepEqual(name.moduleLevel.fresh.statements.length, 1);
      assert.deepEqual(name.moduleLevel.findings.map(key), full().map(key));
      const comment = edit(typist.text.indexOf('\nt\n') + 1, '# later ');
      assert.ok(comment.moduleLevel, 'a comment');
      assert.deepEqual(comment.moduleLevel.findings.map(key), full().map(key));
      // What says something to this tool is not inert: a suppression for the whole file.
      const suppression = edit(typist.text.indexOf('# later '), '# async-pitfalls: noqa: AIO101\n');
      assert.equal(suppression.moduleLevel, undefined);
      assert.equal(suppression.alone, undefined);
      // New code that parses (here a call) is analyzed: left to the whole file's parse.
      const call = edit(typist.text.indexOf('\n\nasync def second') + 1, 'time.sleep(0)\n');
      assert.equal(call.moduleLevel, undefined);
      assert.equal(call.alone, undefined);
    } finally {
      typist.dispose();
    }
  });

  it('outside functions: what is typed on a line opened below a statement is no part of it (the stale tree stretched it)', () => {
    const typist = new ServerTypist(engine, `import os\n${SOURCE}`);
    const edit = (at: number, inserted: string, removed = 0) => typist.edit(at, inserted, removed);
    try {
      const warm = edit(typist.text.indexOf('await other()'), 'x = 1\n    ');
      warm.alone?.dispose();
      // Enter at the end of an import, then a name typed on the new line, character by character.
      const opened = edit(typist.text.indexOf('import time') + 'import time'.length, '\n');
      assert.ok(opened.moduleLevel, 'the line break');
      for (const [k, ch] of [...'total'].entries()) {
        const step = edit(typist.text.indexOf('import time\n') + 'import time\n'.length + k, ch);
        assert.ok(step.moduleLevel, `${ch}: analyzed on the new line alone, not the whole file`);
        assert.equal(step.moduleLevel.fresh.statements.length, 1);
        assert.deepEqual(step.moduleLevel.findings.map(key), typist.full().map(key));
      }
      // After a backslash the new line goes on with the statement above: `import os, \` then `sys`.
      const findings = (step: TypingStep) => (step.moduleLevel ?? step.alone?.result)?.findings.map(key) ?? typist.full().map(key);
      const continued = edit(typist.text.indexOf('import os') + 'import os'.length, ', \\\n');
      assert.deepEqual(findings(continued), typist.full().map(key));
      for (const [k, ch] of [...'sys'].entries()) {
        const step = edit(typist.text.indexOf('import os, \\\n') + 'import os, \\\n'.length + k, ch);
        assert.ok(!step.moduleLevel?.fresh.statements.some((s) => s.start === typist.text.indexOf('sys')), 'not a statement of its own');
        assert.deepEqual(findings(step), typist.full().map(key));
      }
    } finally {
      typist.dispose();
    }
  });

  it('outside functions: an edit inside tokens of a statement (no name it binds) is analyzed on the tree and model as they are', () => {
    const typist = new ServerTypist(engine, ['import asyncio', 'import time', '', 'LIMIT = 3', '', '', 'async def main():', '    time.sleep(1)', '', '', 'def helper():', '    pass', '', '', 'if __name__ == "__main__":', '    asyncio.get_event_loop().run_until_complete(main())', ''].join('\n'));
    const edit = (at: number, inserted: string, removed = 0, expectParsed = true): TypingStep => {
      const step = typist.edit(at, inserted, removed);
      const result = step.alone?.result ?? step.moduleLevel;
      assert.equal(!!result, expectParsed, `${JSON.stringify(inserted)} at ${at}: ${expectParsed ? 'not ' : ''}left to the whole file's parse`);
      step.alone?.dispose();
      return step;
    };
    const full = () => typist.full();
    try {
      assert.deepEqual(brief(full()), ['AIO101@8', 'AIO709@16']);
      edit(typist.text.indexOf('time.sleep(1)'), 'x = 1\n    ');
      // A deprecated call no more, then again: the statement analyzed afresh each time.
      const misspelt = edit(typist.text.indexOf('get_event_loop') + 'get_ev'.length, 'X');
      assert.ok(misspelt.moduleLevel && misspelt.moduleLevel.fresh.statements.length > 0);
      assert.deepEqual(brief(misspelt.moduleLevel.findings), ['AIO101@9']);
      assert.deepEqual(misspelt.moduleLevel.findings.map(key), full().map(key));
      const fixed = edit(typist.text.indexOf('get_evXent_loop') + 'get_ev'.length, '', 1);
      assert.deepEqual(fixed.moduleLevel!.findings.map(key), full().map(key));
      assert.deepEqual(brief(full()), ['AIO101@9', 'AIO709@17']);
      // A value, and the condition's string.
      assert.deepEqual(edit(typist.text.indexOf('= 3') + 3, '3').moduleLevel!.findings.map(key), full().map(key));
      assert.deepEqual(edit(typist.text.indexOf('__main__"') + 2, 'm').moduleLevel!.findings.map(key), full().map(key));
      // Typing in the function goes on on the same model.
      const next = edit(typist.text.indexOf('time.sleep(1)'), 'y = 2\n    ');
      assert.equal(next.alone?.reusedModel, true);
      assert.deepEqual(next.alone!.result.findings.map(key), full().map(key));
      // A name an assignment or an import binds is bound again on the model; an import naming an async library is not.
      assert.deepEqual(edit(typist.text.indexOf('LIMIT') + 2, 'X').moduleLevel!.findings.map(key), full().map(key));
      edit(typist.text.indexOf('time.sleep(1)'), 'z = 3\n    ');
      assert.deepEqual(edit(typist.text.indexOf('import time') + 'import ti'.length, 'X').moduleLevel!.findings.map(key), full().map(key));
      // A space after an import changes no name in it: whitespace at the end of a line, the findings
      // moved, nothing parsed. The tree stretches the import's last name over it, so a name typed
      // there next is not read again from the tree: the whole file's parse.
      const spaced = typist.edit(typist.text.indexOf('import tiXme') + 'import tiXme'.length, ' ');
      assert.deepEqual(spaced.textOnly!.findings.map(key), full().map(key));
      edit(typist.text.indexOf('import tiXme') + 'import ti'.length, '', 1, false);
      edit(typist.text.indexOf('time.sleep(1)'), 'w = 4\n    ');
      edit(typist.text.indexOf('import asyncio') + 'import asyn'.length, 'X', 0, false);
    } finally {
      typist.dispose();
    }
  });

  it('outside functions: a name typed in an import or an assignment is bound again on the carried model, which functions analyzed next read', () => {
    const source = ['import time as tt', 'from time import sleep', 'import json', 'nap = tt.sleep', '', '', 'async def first():', '    tt.sleep(1)', '    sleep(2)', '    nap(3)', '', '', 'async def second():', '    json.dumps(1)', ''].join('\n');
    const typist = new ServerTypist(engine, source);
    // An edit in `first`, analyzed on the carried model, must find what a full analysis finds.
    const inFirst = (what: string) => {
      const step = typist.edit(typist.text.indexOf('    tt.sleep') + 4, 'y = 2\n    ');
      assert.ok(step.alone, what);
      assert.equal(step.alone.reusedModel, true, `${what}: on the carried model`);
      assert.deepEqual(step.alone.result.findings.map(key), typist.full().map(key), what);
      step.alone.dispose();
      return brief(step.alone.result.findings);
    };
    const rename = (at: number, inserted: string, removed = 0) => {
      const step = typist.edit(at, inserted, removed);
      assert.ok(step.moduleLevel, 'the import parsed alone, not the whole file');
      assert.ok(step.typing, 'the model carried over');
      assert.equal(step.moduleLevel.analyzed, 0, 'no function analyzed afresh');
    };
    try {
      assert.deepEqual(brief(typist.full()), ['AIO101@8', 'AIO101@9', 'AIO101@10']);
      typist.edit(typist.text.indexOf('json.dumps'), 'x = 1\n    ').alone?.dispose();
      rename(typist.text.indexOf('nap =') + 'nap'.length, 's');
      assert.deepEqual(inFirst('assigned name renamed'), ['AIO101@9', 'AIO101@10'], '`nap` is bound to nothing now');
      rename(typist.text.indexOf(' as tt') + ' as tt'.length, 'x');
      assert.deepEqual(inFirst('alias renamed'), ['AIO101@11'], '`tt` neither');
      rename(typist.text.indexOf('import sleep') + 'import sleep'.length, 'y');
      assert.deepEqual(inFirst('imported name renamed'), [], '`sleep` neither');
      rename(typist.text.indexOf('as ttx') + 'as tt'.length, '', 1);
      rename(typist.text.indexOf('sleepy') + 'sleep'.length, '', 1);
      rename(typist.text.indexOf('naps =') + 'nap'.length, '', 1);
      assert.deepEqual(inFirst('all typed back'), ['AIO101@12', 'AIO101@13', 'AIO101@14']);
      // Naming an async library decides how the whole file's findings speak: the whole file is parsed again.
      const library = typist.edit(typist.text.indexOf('import json') + 'import json'.length, ', trio');
      assert.equal(library.moduleLevel, undefined);
    } finally {
      typist.dispose();
    }
    // A walrus in an assignment binds a name only the walk that builds a model binds: the whole file's parse.
    const walrus = new ServerTypist(engine, ['import time', 'cap = (limit := 3)', '', '', 'async def main():', '    time.sleep(limit)', '', '', 'def other():', '    pass', ''].join('\n'));
    try {
      const warm = walrus.edit(walrus.text.indexOf('time.sleep'), 'x = 1\n    ');
      assert.ok(warm.alone?.typing, 'a model to carry');
      warm.alone.dispose();
      assert.equal(walrus.edit(walrus.text.indexOf('cap') + 1, 'x').moduleLevel, undefined);
    } finally {
      walrus.dispose();
    }
  });

  it('outside functions: a parse of the region that fails leaves the edit to the whole file, without throwing', () => {
    let text = SOURCE;
    const tree = engine.parse(text);
    try {
      const first = analyzeTree(tree, text);
      const state = chunkedFindings(first, first.chunks ?? []);
      const at = text.indexOf('\n\nasync def second') + 1;
      const change = insertion(text, at, '(');
      const analyzed = text;
      text = text.slice(0, at) + '(' + text.slice(at);
      tree.edit(new Edit(change));
      const failing = { parse: (t: string, previous?: Tree) => engine.parse(t, previous), parseRange: () => { throw new Error('parsing took too long'); } };
      const step = analyzeWhileTyping(failing, tree, text, analyzed, {}, undefined, state, [change], undefined, undefined);
      assert.equal(step.tree, tree);
      assert.equal(step.moduleLevel, undefined);
      assert.equal(step.alone, undefined);
    } finally {
      tree.delete();
    }
  });

  it('edits in a row as the server makes them keep everything analyzed afresh exact where the text parses (examples and rule fixtures)', () => {
    let seed = 13;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let alone = 0;
    let compared = 0;
    const files = [...collectPythonFiles([path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test/fixtures')])].sort();
    for (const file of files) {
      for (const edit of editChain(engine, fs.readFileSync(file, 'utf8'), 12, random, `x_( \n:."${ERASE}`, false, true)) {
        if (!edit.incremental) continue;
        if (edit.alone) alone++;
        // With a syntax error, a function alone may parse otherwise than in the file: the pause settles it.
        if (edit.alone && edit.syntaxError) continue;
        compared++;
        const where = `${path.relative(REPO_ROOT, file)}, edit ${edit.index}: ${JSON.stringify(edit.inserted)} at ${edit.change.startIndex}`;
        assert.deepEqual(edit.incremental.filter(edit.afresh).map(key).sort(), edit.full.filter(edit.afresh).map(key).sort(), where);
      }
    }
    assert.ok(alone > 400, `only ${alone} edits parsed functions alone`);
    // Edits inside an unclosed bracket or string keep the last findings (see the test above), so fewer are compared.
    assert.ok(compared > 150, `only ${compared} edits compared`);
  });

  it('the server parses the edited function alone, publishes what a full analysis finds, then settles', async () => {
    const client = await timingClient();
    try {
      const uri = 'file:///alone/typing.py';
      await openSourceForTyping(client, uri);
      // `await other()` is on line 5 (0-based 4): type a call of the blocking helper defined further down.
      await client.change(uri, 2, [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, text: 'later()\n    ' }]);
      const quick = await client.diagnostics(uri, (p) => p.version === 2);
      assert.deepEqual(quick.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@10']);
      assert.ok(client.logs.some((l) => l.includes('"version":2') && l.includes('function alone') && l.includes('model carried over')), client.logs.join('\n'));
      // A hover meanwhile reads a fresh parse, not the stale tree: `async def` of `second` moved down a line.
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 8, character: 2 } });
      assert.match((hover!.contents as MarkupContent).value, /async def/);
      assert.equal(await client.connection.sendRequest('asyncPitfalls/settle', { uri }), 2);
      const settled = client.published.filter((p) => p.uri === uri && p.version === 2).at(-1)!;
      assert.deepEqual(settled.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@10']);
      // A bracket opened between two functions, on line 7 (0-based 6), then deleted: the findings move, nothing else.
      await client.change(uri, 3, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '(' }]);
      const open = await client.diagnostics(uri, (p) => p.version === 3);
      assert.deepEqual(open.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@10']);
      assert.ok(client.logs.some((l) => l.includes('"version":3') && l.includes('module level')), client.logs.join('\n'));
      await client.change(uri, 4, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 1 } }, text: '' }]);
      const closed = await client.diagnostics(uri, (p) => p.version === 4);
      assert.deepEqual(closed.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@10']);
      assert.ok(client.logs.some((l) => l.includes('"version":4') && l.includes('module level')), client.logs.join('\n'));
    } finally {
      await client.shutdown();
    }
  });

  it('after a pause with a bracket left open in the function being typed, the keystroke that closes it goes on from the tree typing used', async () => {
    const client = await timingClient();
    try {
      const uri = 'file:///alone/open-string.py';
      await openSourceForTyping(client, uri);
      // In `first`'s body (line 5, 0-based 4): a call of the blocking helper, then a bracket left open after it.
      await client.change(uri, 2, [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, text: 'later()\n    x = f(a\n    ' }]);
      await client.diagnostics(uri, (p) => p.version === 2);
      // The pause: the whole file does not parse (the bracket swallows what follows); its findings are published.
      assert.equal(await client.connection.sendRequest('asyncPitfalls/settle', { uri }), 2);
      const settled = client.published.filter((p) => p.uri === uri && p.version === 2).at(-1)!;
      const typed = SOURCE.split('\n');
      typed[4] = `    later()\n    x = f(a\n${typed[4]}`;
      const fresh = (await testEngine()).analyzeText(typed.join('\n'), {});
      fresh.tree.delete();
      assert.deepEqual(settled.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), fresh.findings.map((f) => `${f.code}@${f.range.start.line + 1}`));
      // The closing bracket: the function parsed alone on the model carried over, not the whole file again.
      await client.change(uri, 3, [{ range: { start: { line: 5, character: 11 }, end: { line: 5, character: 11 } }, text: ')' }]);
      const closed = await client.diagnostics(uri, (p) => p.version === 3);
      assert.ok(client.logs.some((l) => l.includes('"version":3') && l.includes('function alone') && l.includes('model carried over')), client.logs.join('\n'));
      assert.deepEqual(closed.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@11']);
      // And the next pause settles on the whole file as it is.
      assert.equal(await client.connection.sendRequest('asyncPitfalls/settle', { uri }), 3);
      const final = client.published.filter((p) => p.uri === uri && p.version === 3).at(-1)!;
      assert.deepEqual(final.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['AIO112@5', 'AIO101@11']);
    } finally {
      await client.shutdown();
    }
  });

  it('typing that resumes while the analysis settling a pause runs drops it and carries the model on', async () => {
    const client = await timingClient();
    try {
      // Large enough for the settling analysis to take a few hundred milliseconds.
      const uri = await openLargeFile(client, 'file:///alone/pause.py');
      let version = 1;
      const type = async () => {
        version++;
        const line = 4 + 8 * (version % 100);
        await client.change(uri, version, [{ range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: 'x = 1\n    ' }]);
        await client.diagnostics(uri, (p) => p.version === version);
      };
      // A pause of 300 ms starts the settling analysis: resume typing at different moments into it.
      for (const pause of [340, 380, 440, 520, 340, 380, 440, 520]) {
        await type();
        await new Promise((resolve) => setTimeout(resolve, pause));
        await type();
        if (client.logs.some((l) => l.startsWith('dropped') && l.includes('settling'))) break;
      }
      const logs = client.logs.filter((l) => l.startsWith('dropped') || l.startsWith('timing'));
      const dropped = logs.findIndex((l) => l.startsWith('dropped') && l.includes('settling'));
      assert.ok(dropped >= 0, `the settling analysis was never interrupted:\n${logs.join('\n')}`);
      // The keystroke that interrupted it (its timing may come first: it is served while the settling analysis waits its turn).
      const settled = (JSON.parse(logs[dropped]!.slice(logs[dropped]!.indexOf('{'))) as { version: number }).version;
      await client.diagnostics(uri, (p) => p.version === settled + 1);
      const next = client.logs.find((l) => l.startsWith('timing') && l.includes(`"version":${settled + 1},`));
      assert.ok(next?.includes('model carried over'), `the keystroke that interrupted the settling analysis:\n${logs.join('\n')}`);
    } finally {
      await client.shutdown();
    }
  });

  it('the server builds the model for typing in slices while idle, and a keystroke arriving meanwhile gets it finished', async () => {
    const client = await timingClient();
    try {
      // Large enough for the model to take more than one slice.
      const uri = await openLargeFile(client, 'file:///alone/large.py');
      // At once, while the model is being built.
      await client.change(uri, 2, [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, text: 'x = 1\n    ' }]);
      await client.diagnostics(uri, (p) => p.version === 2);
      assert.ok(client.logs.some((l) => l.includes('"version":2') && l.includes('function alone') && l.includes('model carried over')), client.logs.join('\n'));
    } finally {
      await client.shutdown();
    }
  });
});
