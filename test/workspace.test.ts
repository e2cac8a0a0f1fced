/**
 * The workspace index and the cross-file rules: a small package under
 * test/fixtures/workspace whose modules import each other (relative imports,
 * re-exports, inherited methods, annotated parameters). Findings are checked
 * against the inline markers, exactly as the single-file fixtures are.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { absoluteImport } from '../server/src/core/workspace-types';
import { PackageFolders } from '../server/src/workspace/module-names';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { compareExpectations, parseExpectations } from './helpers/expectations';

const WORKSPACE = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
const API = path.join(WORKSPACE, 'shop', 'api.py');

async function analyzeInWorkspace(file: string, text = fs.readFileSync(file, 'utf8'), index?: Awaited<ReturnType<typeof freshIndex>>) {
  const engine = await testEngine();
  const workspace = index ?? (await freshIndex());
  const { select } = parseExpectations(text);
  const result = engine.analyzeText(text, { select }, workspace.linkFor(file));
  result.tree.delete();
  return result;
}

async function freshIndex() {
  const engine = await testEngine();
  const index = engine.createWorkspaceIndex();
  index.addRoot(WORKSPACE);
  return index;
}

describe('workspace index', () => {
  it('names modules the way the import system does', () => {
    const packages = new PackageFolders();
    assert.deepEqual(packages.locate(API), { name: 'shop.api', isPackage: false, root: WORKSPACE });
    assert.deepEqual(packages.locate(path.join(WORKSPACE, 'shop', 'services', '__init__.py')), {
      name: 'shop.services',
      isPackage: true,
      root: WORKSPACE,
    });
    assert.equal(absoluteImport('.db.save', 'shop.api', false), 'shop.db.save');
    assert.equal(absoluteImport('..db.load', 'shop.services.setup', false), 'shop.db.load');
    assert.equal(absoluteImport('.db', 'shop', true), 'shop.db');
    assert.equal(absoluteImport('...x', 'shop.api', false), undefined);
  });

  it('finds functions through re-exports and inherited methods', async () => {
    const index = await freshIndex();
    assert.equal(index.findFunction('shop.save_order')?.qualifiedName, 'shop.db.save_order');
    assert.equal(index.findFunction('shop.db.Repository.fetch')?.summary.isAsync, true);
    assert.equal(index.findFunction('shop.db.load_config')?.summary.blocking?.code, 'AIO105');
    assert.equal(index.findFunction('shop.db.nothing'), undefined);
    assert.equal(index.findFunction('os.path.join'), undefined);
    assert.ok(index.isClass('shop.db.Repository'));
  });

  it('reports cross-file findings exactly where the markers say', async () => {
    const text = fs.readFileSync(API, 'utf8');
    const result = await analyzeInWorkspace(API, text);
    assert.deepEqual(result.ruleErrors, []);
    const problems = compareExpectations('shop/api.py', parseExpectations(text).expectations, result.findings);
    assert.ok(problems.length === 0, `\n${problems.join('\n')}`);
  });

  it('points related information at the other files, one hop at a time', async () => {
    const result = await analyzeInWorkspace(API);
    const missing = result.findings.find((f) => f.code === 'AIO201' && f.message.startsWith('`save_order()`'))!;
    assert.equal(missing.related[0]?.uri, pathToFileURL(path.join(WORKSPACE, 'shop', 'db.py')).href);
    assert.equal(missing.related[0]?.range.start.line, 4);
    const chain = result.findings.find((f) => f.code === 'AIO112' && f.message.includes('prepare'))!;
    assert.deepEqual(
      chain.related.map((r) => [path.basename(new URL(r.uri!).pathname), r.range.start.line + 1]),
      [
        ['setup.py', 5],
        ['db.py', 10],
      ],
    );
  });

  it('analyzes a file alone (no workspace) without cross-file findings', async () => {
    const engine = await testEngine();
    const text = fs.readFileSync(API, 'utf8');
    const result = engine.analyzeText(text, { select: ['AIO1', 'AIO2', 'AIO6'] });
    result.tree.delete();
    assert.deepEqual(result.findings.map((f) => f.code), []);
  });

  it('sees the editor text of another module instead of the file on disk', async () => {
    const index = await freshIndex();
    const db = path.join(WORKSPACE, 'shop', 'db.py');
    const before = await analyzeInWorkspace(API, undefined, index);
    const mentionsSave = (f: { related: Array<{ message: string }> }): boolean => f.related.some((r) => r.message.includes('shop.db.save_order'));
    assert.ok(before.findings.some(mentionsSave));
    index.setOverlay(db, fs.readFileSync(db, 'utf8').replace('async def save_order', 'def save_order'));
    const after = await analyzeInWorkspace(API, undefined, index);
    assert.ok(!after.findings.some(mentionsSave));
    index.setOverlay(db, undefined);
    const restored = await analyzeInWorkspace(API, undefined, index);
    assert.equal(restored.findings.length, before.findings.length);
  });

  it('survives import cycles and modules that cannot be read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-ws-'));
    try {
      fs.mkdirSync(path.join(dir, 'loop'));
      fs.writeFileSync(path.join(dir, 'loop', '__init__.py'), 'from .a import ping\n');
      fs.writeFileSync(path.join(dir, 'loop', 'a.py'), 'from .b import pong as ping\n\ndef helper():\n    return ping()\n');
      fs.writeFileSync(path.join(dir, 'loop', 'b.py'), 'from .a import ping as pong\nfrom .a import helper\n\ndef again():\n    return helper()\n');
      fs.writeFileSync(path.join(dir, 'loop', 'bin.py'), Buffer.from([0, 1, 2, 3]));
      const main = path.join(dir, 'loop', 'main.py');
      const text = 'from . import bin\nfrom .b import again\nfrom .a import ping\n\nasync def run():\n    again()\n    ping()\n    bin.thing()\n';
      fs.writeFileSync(main, text);
      const engine = await testEngine();
      const index = engine.createWorkspaceIndex();
      const result = engine.analyzeText(text, {}, index.linkFor(main));
      result.tree.delete();
      assert.deepEqual(result.ruleErrors, []);
      assert.deepEqual(result.findings, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
