/**
 * The real language server over stdio, driven like an editor drives it:
 * open, edit incrementally, configure, close; and fed bad input it must survive.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeActionRequest, ExecuteCommandRequest, HoverRequest, type MarkupContent, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../server/src/core/fix';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { DEFAULT_CAPABILITIES, LspClient } from './helpers/lsp-client';

const SOURCE = `import asyncio
import time


async def handler():
    time.sleep(1)
    await asyncio.sleep(1)
`;

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${String(d.code)}`);
}

describe('language server over stdio', function () {
  let client: LspClient;

  beforeEach(async () => {
    client = new LspClient();
    await client.initialize();
  });

  afterEach(async () => {
    if (client.process.exitCode === null) await client.shutdown();
  });

  it('advertises incremental sync and its name', async () => {
    const fresh = new LspClient();
    const result = await fresh.initialize();
    assert.equal(result.serverInfo?.name, 'async-pitfalls');
    assert.deepEqual(result.capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(await fresh.shutdown(), 0);
  });

  it('keeps stdout for protocol messages: stray console output of any kind goes to the client log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-console-'));
    const noisy = path.join(dir, 'noisy.js');
    // Loaded before the server; prints once the server has set its console up.
    fs.writeFileSync(noisy, "setTimeout(() => { console.dir({ dir: 1 }); console.dirxml('dirxml'); console.table([{ table: 1 }]); console.count('count'); console.log('log'); }, 0);\n");
    const saved = process.env.LSP_SERVER_NODE_ARGS;
    process.env.LSP_SERVER_NODE_ARGS = `--require ${noisy}`;
    const noisyClient = new LspClient();
    if (saved === undefined) delete process.env.LSP_SERVER_NODE_ARGS;
    else process.env.LSP_SERVER_NODE_ARGS = saved;
    // Output on stdout would break the protocol and the client would wait forever: fail instead.
    let timer: NodeJS.Timeout | undefined;
    const inTime = <T>(work: Promise<T>) =>
      Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer: stdout is not protocol messages only')), 20_000)))]).finally(() => clearTimeout(timer));
    try {
      await inTime(noisyClient.initialize());
      await noisyClient.open('file:///noisy.py', 'import time\n\nasync def f():\n    time.sleep(1)\n');
      const published = await inTime(noisyClient.diagnostics('file:///noisy.py', () => true));
      assert.equal(published.diagnostics[0]?.code, 'AIO101');
      const logs = noisyClient.logs.join('\n');
      for (const word of ['dir: 1', 'dirxml', 'table', 'count', 'log']) assert.ok(logs.includes(word), `${word} in the client log`);
      assert.equal(await noisyClient.shutdown(), 0);
    } finally {
      if (noisyClient.process.exitCode === null) noisyClient.process.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes diagnostics with code, source, link to the rule page and the async def as related information', async () => {
    const uri = 'file:///work/app.py';
    await client.open(uri, SOURCE);
    const { diagnostics, version } = await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(version, 1);
    assert.equal(diagnostics.length, 1);
    const d = diagnostics[0]!;
    assert.equal(d.code, 'AIO101');
    assert.equal(d.source, 'async-pitfalls');
    assert.equal(d.severity, 2);
    assert.deepEqual(d.range, { start: { line: 5, character: 4 }, end: { line: 5, character: 17 } });
    assert.match(d.message as string, /time\.sleep\(\)/);
    const page = fileURLToPath(d.codeDescription!.href);
    assert.match(fs.readFileSync(page, 'utf8'), /^# AIO101 blocking-sleep/);
    assert.equal(d.relatedInformation?.[0]?.location.uri, uri);
    assert.deepEqual(d.relatedInformation?.[0]?.location.range.start, { line: 4, character: 10 });
  });

  it('updates after incremental edits: fixing and re-introducing the problem', async () => {
    const uri = 'file:///work/edit.py';
    await client.open(uri, SOURCE);
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    // Type "await asyncio." in front of time.sleep -> `await asyncio.time.sleep(1)` is not time.sleep.
    let mark = client.published.length;
    await client.change(uri, 2, [{ range: { start: { line: 5, character: 4 }, end: { line: 5, character: 9 } }, text: 'await asyncio.' }]);
    const fixed = await client.diagnostics(uri, (p) => p.version === 2, mark);
    assert.deepEqual(codes(fixed.diagnostics), []);
    mark = client.published.length;
    await client.change(uri, 3, [{ range: { start: { line: 6, character: 26 }, end: { line: 6, character: 26 } }, text: '\n    open("x")\n    fetch()' }]);
    const again = await client.diagnostics(uri, (p) => p.version === 3, mark);
    assert.deepEqual(codes(again.diagnostics), ['8:5 AIO105']);
  });

  it('keeps the tree in step with many small edits (same result as a fresh parse)', async () => {
    const uri = 'file:///work/many.py';
    let text = 'import time\n\nasync def f():\n    pass\n';
    await client.open(uri, text);
    await client.diagnostics(uri);
    // Type a function body character by character, including an emoji (UTF-16 surrogate pair).
    const typed = '\n    s = "é😀"; time.sleep(1)\n    if x:\n        open(p)\n';
    let version = 1;
    let line = 3;
    let character = 8;
    for (const ch of typed) {
      version++;
      await client.change(uri, version, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
      if (ch === '\n') {
        line++;
        character = 0;
      } else character += ch.length;
    }
    text = text.replace('pass\n', 'pass' + typed + '\n');
    const final = await client.diagnostics(uri, (p) => p.version === version);
    const engine = await testEngine();
    const fresh = engine.analyzeText(text);
    fresh.tree.delete();
    assert.deepEqual(
      codes(final.diagnostics),
      fresh.findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code}`),
    );
    assert.deepEqual(codes(final.diagnostics), ['5:16 AIO101', '7:9 AIO105']);
  });

  it('accepts whole-document changes, and ignores documents that are not Python', async () => {
    const uri = 'file:///work/full.py';
    await client.open(uri, SOURCE);
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    const mark = client.published.length;
    await client.change(uri, 2, [{ text: 'import os\nasync def f():\n    os.system("ls")\n' }]);
    const replaced = await client.diagnostics(uri, (p) => p.version === 2, mark);
    assert.deepEqual(codes(replaced.diagnostics), ['3:5 AIO103']);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///work/notes.md', languageId: 'markdown', version: 1, text: 'time.sleep(1)' },
    });
    await client.open('file:///work/after.py', SOURCE);
    await client.diagnostics('file:///work/after.py', (p) => p.diagnostics.length > 0);
    assert.ok(!client.published.some((p) => p.uri === 'file:///work/notes.md'));
  });

  it('offers quick fixes for a diagnostic: the safe one preferred, then line and file suppressions', async () => {
    const uri = 'file:///work/fix.py';
    await client.open(uri, SOURCE);
    const { diagnostics } = await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0]!.range,
      context: { diagnostics },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred]),
      [
        ['Replace with `await asyncio.sleep(...)`', 'quickfix', true],
        ['Ignore AIO101 on this line', 'quickfix', false],
        ['Ignore AIO101 in this file', 'quickfix', false],
      ],
    );
    assert.deepEqual(actions[0]!.diagnostics, [diagnostics[0]]);
    const fixed = applyEdits(SOURCE, actions[0]!.edit!.changes![uri] as TextEdit[]);
    assert.equal(fixed, SOURCE.replace('    time.sleep(1)', '    await asyncio.sleep(1)'));
    const suppressed = applyEdits(SOURCE, actions[1]!.edit!.changes![uri] as TextEdit[]);
    assert.match(suppressed!, /time\.sleep\(1\)  # noqa: AIO101\n/);
    // No action away from the finding.
    const elsewhere = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(elsewhere, []);
  });

  it('ties fixes to the document version they were computed for, when the editor supports it', async () => {
    const versioned = new LspClient();
    await versioned.initialize({ ...DEFAULT_CAPABILITIES, workspace: { ...DEFAULT_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true } } });
    const uri = 'file:///work/versioned.py';
    await versioned.open(uri, SOURCE, 1);
    await versioned.change(uri, 2, [{ range: { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, text: '# edited\n' }]);
    const { diagnostics } = await versioned.diagnostics(uri, (p) => p.version === 2 && p.diagnostics.length === 1);
    const actions = (await versioned.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } })) as CodeAction[];
    const change = actions[0]!.edit!.documentChanges![0] as { textDocument: { uri: string; version: number } };
    // An editor refuses a TextDocumentEdit whose version is not the document's: a stale fix is never misapplied.
    assert.deepEqual(change.textDocument, { uri, version: 2 });
    assert.equal(actions[0]!.edit!.changes, undefined);
    await versioned.shutdown();
  });

  it('fixes everything safe at once: as a source.fixAll action and as a command', async () => {
    const uri = 'file:///work/fixall.py';
    const text = 'import time\n\nasync def fetch():\n    return 1\n\nasync def main():\n    time.sleep(1)\n    fetch()\n';
    await client.open(uri, text);
    await client.diagnostics(uri, (p) => p.diagnostics.length === 2);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    })) as CodeAction[];
    assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.asyncPitfalls']);
    const expected = 'import asyncio\nimport time\n\nasync def fetch():\n    return 1\n\nasync def main():\n    await asyncio.sleep(1)\n    await fetch()\n';
    assert.equal(applyEdits(text, actions[0]!.edit!.changes![uri] as TextEdit[]), expected);
    await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'asyncPitfalls.applyFixAll', arguments: [uri] });
    assert.equal(client.appliedEdits.length, 1);
    const edit = client.appliedEdits[0] as { changes: Record<string, TextEdit[]> };
    assert.equal(applyEdits(text, edit.changes[uri]!), expected);
  });

  it('explains a finding on hover, with the fix and links to the rule page and the concept note', async () => {
    const uri = 'file:///work/hover.py';
    await client.open(uri, SOURCE);
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 5, character: 8 } });
    const value = (hover!.contents as MarkupContent).value;
    assert.match(value, /^\*\*AIO101 blocking-sleep\*\* \(blocking-call\)/);
    assert.match(value, /\*\*Fix:\*\* Replace with `await asyncio\.sleep\(\.\.\.\)`/);
    const links = [...value.matchAll(/\]\((file:[^)]+)\)/g)].map((m) => m[1]!);
    assert.equal(links.length, 2, value);
    for (const link of links) assert.ok(fs.existsSync(fileURLToPath(link)), link);
    assert.match(links[0]!, /rules\/AIO101\.md$/);
    assert.match(links[1]!, /concepts\/avoiding-blocking-calls\.md$/);
  });

  it('explains async vocabulary on hover, unless the setting turns it off', async () => {
    const uri = 'file:///work/vocab.py';
    const text = 'import asyncio\nfrom concurrent.futures import ThreadPoolExecutor as Pool\n\nasync def main():\n    task = asyncio.create_task(main())\n    await task\n    Pool()\n';
    await client.open(uri, text);
    await client.diagnostics(uri);
    const hoverAt = async (line: number, character: number) => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
      return h ? (h.contents as MarkupContent).value : null;
    };
    assert.match((await hoverAt(3, 1))!, /^\*\*async def: a coroutine function\*\*/);
    assert.match((await hoverAt(4, 25))!, /^\*\*asyncio\.create_task\(coro\)\*\*[\s\S]*Learn more: \[/);
    assert.match((await hoverAt(5, 5))!, /^\*\*await\*\*/);
    assert.match((await hoverAt(6, 5))!, /ThreadPoolExecutor/);
    assert.equal(await hoverAt(4, 6), null, 'a plain variable has no hover');
    client.settings = { vocabularyHovers: false };
    await client.configurationChanged();
    assert.equal(await hoverAt(4, 25), null);
  });

  it('clears diagnostics when a document closes', async () => {
    const uri = 'file:///work/close.py';
    await client.open(uri, SOURCE);
    await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    const mark = client.published.length;
    await client.close(uri);
    const cleared = await client.diagnostics(uri, () => true, mark);
    assert.deepEqual(cleared.diagnostics, []);
  });

  it('reads settings with workspace/configuration and re-reads them when they change', async () => {
    const uri = 'file:///work/settings.py';
    client.settings = { severity: { AIO101: 'error' } };
    await client.open(uri, SOURCE + '\nasync def g():\n    fetch = handler()\n');
    const first = await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(first.diagnostics.map((d) => [d.code, d.severity]), [['AIO101', 1], ['AIO202', 1]]);
    let mark = client.published.length;
    client.settings = { ignore: ['AIO2'], severity: { AIO101: 'information' } };
    await client.configurationChanged();
    const second = await client.diagnostics(uri, () => true, mark);
    assert.deepEqual(second.diagnostics.map((d) => [d.code, d.severity]), [['AIO101', 3]]);
    mark = client.published.length;
    client.settings = { enable: false };
    await client.configurationChanged();
    const third = await client.diagnostics(uri, () => true, mark);
    assert.deepEqual(third.diagnostics, []);
    assert.ok(client.configurationRequests >= 3);
  });

  it('uses initializationOptions when the client cannot answer workspace/configuration', async () => {
    const other = new LspClient();
    await other.initialize({}, { asyncPitfalls: { select: ['AIO2'] } });
    const uri = 'file:///work/init.py';
    await other.open(uri, SOURCE + '\nasync def g():\n    handler()\n');
    const { diagnostics } = await other.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(codes(diagnostics), ['10:5 AIO201']);
    assert.equal(diagnostics[0]!.relatedInformation, undefined, 'client did not announce relatedInformation support');
    assert.equal(other.configurationRequests, 0);
    await other.shutdown();
  });

  it('keeps initializationOptions when the client answers workspace/configuration with nothing (as eglot does)', async () => {
    const other = new LspClient();
    other.settings = null;
    await other.initialize(DEFAULT_CAPABILITIES, { asyncPitfalls: { severity: { AIO101: 'information' } } });
    const uri = 'file:///work/eglot.py';
    await other.open(uri, SOURCE);
    const { diagnostics } = await other.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.ok(other.configurationRequests > 0);
    assert.equal(diagnostics[0]!.severity, 3, 'the severity from initializationOptions');
    await other.shutdown();
  });

  it('survives bad input and keeps serving: binary text, huge files, deep nesting, syntax errors', async () => {
    const binary = 'file:///work/binary.py';
    await client.open(binary, 'abc\u0000def');
    const b = await client.diagnostics(binary);
    assert.match(b.diagnostics[0]!.message as string, /did not analyze this file: binary content/);

    client.settings = { maxFileSizeMb: 0.5 };
    await client.configurationChanged();
    const huge = 'file:///work/huge.py';
    await client.open(huge, 'x = 1\n'.repeat(200_000));
    const h = await client.diagnostics(huge);
    assert.match(h.diagnostics[0]!.message as string, /over the 512 KB limit/);

    const deep = 'file:///work/deep.py';
    await client.open(deep, 'import time\nasync def f():\n    x = ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + '\n    time.sleep(1)\n');
    const d = await client.diagnostics(deep);
    assert.deepEqual(codes(d.diagnostics), ['4:5 AIO101']);

    const broken = 'file:///work/broken.py';
    await client.open(broken, 'import time\nasync def f(:\n    x = \nasync def g():\n    time.sleep(2)\n');
    const s = await client.diagnostics(broken);
    assert.ok(codes(s.diagnostics).includes('5:5 AIO101'), JSON.stringify(s.diagnostics));

    // An edit for a document the server never saw, and a change past the end, are ignored or clamped.
    await client.change('file:///work/never-opened.py', 2, [{ text: 'x' }]);
    await client.change(broken, 2, [{ range: { start: { line: 99, character: 0 }, end: { line: 120, character: 5 } }, text: 'time.sleep(3)' }]);
    await client.diagnostics(broken, (p) => p.version === 2);
    assert.equal(client.process.exitCode, null, 'server must still be running');
  });
});

describe('language server with a workspace', function () {
  const workspace = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  const rootUri = pathToFileURL(workspace).href;
  const apiUri = pathToFileURL(path.join(workspace, 'shop', 'api.py')).href;
  const dbPath = path.join(workspace, 'shop', 'db.py');
  const dbUri = pathToFileURL(dbPath).href;
  let client: LspClient;

  afterEach(async () => {
    if (client.process.exitCode === null) await client.shutdown();
  });

  it('indexes the workspace in the background with progress, and watches Python files', async () => {
    client = new LspClient();
    await client.initialize(
      { ...DEFAULT_CAPABILITIES, window: { workDoneProgress: true }, workspace: { ...DEFAULT_CAPABILITIES.workspace, didChangeWatchedFiles: { dynamicRegistration: true } } },
      undefined,
      rootUri,
    );
    const deadline = Date.now() + 10_000;
    while (!client.progress.some((p) => p.kind === 'end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.progress[0]?.kind, 'begin');
    assert.match(client.progress[0]?.title ?? '', /indexing/);
    assert.equal(client.progress[client.progress.length - 1]?.kind, 'end');
    assert.ok(client.registrations.includes('workspace/didChangeWatchedFiles'));
    assert.ok(client.logs.some((l) => /indexed \d+ modules \(7 files\)/.test(l)), client.logs.join('\n'));
  });

  it('reports cross-file findings with related locations in the other file, and follows edits of that file', async () => {
    client = new LspClient();
    await client.initialize(DEFAULT_CAPABILITIES, undefined, rootUri);
    await client.open(apiUri, fs.readFileSync(path.join(workspace, 'shop', 'api.py'), 'utf8'));
    const first = await client.diagnostics(apiUri, (p) => p.diagnostics.length > 0);
    const missing = first.diagnostics.find((d) => d.code === 'AIO201' && (d.message as string).startsWith('`save_order()`'))!;
    assert.equal(missing.relatedInformation?.[0]?.location.uri, dbUri);
    const chain = first.diagnostics.find((d) => d.code === 'AIO112' && (d.message as string).includes('prepare'))!;
    assert.deepEqual(chain.relatedInformation?.map((r) => path.basename(fileURLToPath(r.location.uri))), ['setup.py', 'db.py']);

    // Editing db.py in the editor (unsaved) changes what api.py sees once typing pauses.
    const since = client.published.length;
    const dbText = fs.readFileSync(dbPath, 'utf8');
    await client.open(dbUri, dbText);
    const line = dbText.split('\n').findIndex((l) => l.startsWith('async def save_order'));
    await client.change(dbUri, 2, [{ range: { start: { line, character: 0 }, end: { line, character: 6 } }, text: '' }]);
    const after = await client.diagnostics(apiUri, (p) => !p.diagnostics.some((d) => d.relatedInformation?.some((r) => r.location.uri === dbUri && r.message.includes('save_order'))), since);
    assert.ok(after.diagnostics.length < first.diagnostics.length);
  });

  it('re-reads a module when the file changes on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-lsp-ws-'));
    try {
      fs.mkdirSync(path.join(dir, 'app'));
      fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
      const helpers = path.join(dir, 'app', 'helpers.py');
      fs.writeFileSync(helpers, 'def notify():\n    return None\n');
      const main = path.join(dir, 'app', 'main.py');
      const mainText = 'from .helpers import notify\n\n\nasync def handler():\n    notify()\n';
      fs.writeFileSync(main, mainText);
      client = new LspClient();
      await client.initialize(DEFAULT_CAPABILITIES, undefined, pathToFileURL(dir).href);
      const mainUri = pathToFileURL(main).href;
      await client.open(mainUri, mainText);
      await client.diagnostics(mainUri, (p) => p.diagnostics.length === 0);
      const since = client.published.length;
      fs.writeFileSync(helpers, 'async def notify():\n    return None\n');
      await client.filesChanged([{ uri: pathToFileURL(helpers).href, type: 2 }]);
      const { diagnostics } = await client.diagnostics(mainUri, (p) => p.diagnostics.length > 0, since);
      assert.deepEqual(codes(diagnostics), ['5:5 AIO201']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies pyproject.toml, shows its mistakes on the file itself, and re-reads it when it changes on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-lsp-config-'));
    try {
      const pyproject = path.join(dir, 'pyproject.toml');
      fs.writeFileSync(pyproject, '[tool.async-pitfalls]\nignore = ["AIO106"]\n\n[tool.async-pitfalls.severity]\nAIO101 = "fatal"\nAIO105 = "error"\n');
      const main = path.join(dir, 'main.py');
      const text = 'import os\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n    os.path.exists("x")\n    open("x")\n';
      fs.writeFileSync(main, text);
      client = new LspClient();
      await client.initialize(DEFAULT_CAPABILITIES, undefined, pathToFileURL(dir).href);
      const mainUri = pathToFileURL(main).href;
      const configUri = pathToFileURL(pyproject).href;
      await client.open(mainUri, text);
      const { diagnostics } = await client.diagnostics(mainUri, (p) => p.diagnostics.length > 0);
      assert.deepEqual(codes(diagnostics), ['6:5 AIO101', '8:5 AIO105']);
      assert.equal(diagnostics[1]?.severity, 1, 'AIO105 = "error" applies');
      const configDiagnostics = await client.diagnostics(configUri, (p) => p.diagnostics.length > 0);
      assert.equal(configDiagnostics.diagnostics[0]?.range.start.line, 4);
      assert.match(String(configDiagnostics.diagnostics[0]?.message ?? ""), /AIO101: severity must be one of/);

      // Editor settings win over the file.
      client.settings = { asyncPitfalls: { severity: { AIO105: 'hint' } } };
      let since = client.published.length;
      await client.configurationChanged();
      const overridden = await client.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.code === 'AIO105' && d.severity === 4), since);
      assert.equal(overridden.diagnostics.length, 2);

      since = client.published.length;
      fs.writeFileSync(pyproject, '[tool.async-pitfalls]\nignore = ["AIO106", "AIO105"]\n');
      await client.filesChanged([{ uri: configUri, type: 2 }]);
      await client.diagnostics(configUri, (p) => p.diagnostics.length === 0, since);
      const after = await client.diagnostics(mainUri, (p) => p.diagnostics.length === 1, since);
      assert.deepEqual(codes(after.diagnostics), ['6:5 AIO101']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
