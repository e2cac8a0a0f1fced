/**
 * `npm run package` builds a small .vsix whose bundled server and CLI work on
 * their own: unpacked in a scratch folder, the server answers over stdio and
 * the CLI finds the grammar next to itself.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/engine';
import { LspClient } from './helpers/lsp-client';

describe('VS Code package', function () {
  this.timeout(120_000);
  let unpacked: string;
  let files: string[];
  let out: string;

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-vsix-'));
    const vsix = path.join(out, 'async-pitfalls.vsix');
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'package-vsix.sh'), vsix], { cwd: REPO_ROOT, stdio: 'pipe' });
    unpacked = path.join(out, 'unpacked');
    execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
    files = fs.readdirSync(unpacked, { recursive: true, encoding: 'utf8' }).map((f) => f.split(path.sep).join('/'));
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('contains the bundles, both wasm files and the rule pages, and nothing else of the repository', () => {
    for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/cli.js', 'extension/dist/cli-worker.js', 'extension/dist/tree-sitter-python.wasm', 'extension/dist/web-tree-sitter.wasm', 'extension/dist/docs/rules/AIO101.md', 'extension/dist/docs/concepts/coroutines-and-await.md']) {
      assert.ok(files.includes(f), `${f} missing from the .vsix`);
    }
    assert.ok(!files.some((f) => f.includes('node_modules') || f.endsWith('.ts') || f.endsWith('.map') || f.startsWith('extension/test')), files.join('\n'));
    const size = files.reduce((sum, f) => sum + (fs.statSync(path.join(unpacked, f)).isFile() ? fs.statSync(path.join(unpacked, f)).size : 0), 0);
    assert.ok(size < 3 * 1024 * 1024, `unpacked size ${size} bytes`);
  });

  it('has the marketplace page (with screenshots at absolute URLs), icon, changelog and license', () => {
    for (const f of ['extension/readme.md', 'extension/images/icon.png', 'extension/changelog.md', 'extension/LICENSE.txt']) {
      assert.ok(files.includes(f), `${f} missing from the .vsix`);
    }
    const readme = fs.readFileSync(path.join(unpacked, 'extension/readme.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3, 'screenshots');
    for (const image of images) {
      assert.match(image, /^https:\/\//);
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'docs', image.slice(image.indexOf('/docs/') + 6))), `${image} is not a file of docs/`);
    }
    const icon = fs.readFileSync(path.join(unpacked, 'extension/images/icon.png'));
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
  });

  it('declares activation on Python, trust, both commands, and the settings the server reads', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8')) as {
      activationEvents: string[];
      capabilities: { untrustedWorkspaces: { supported: boolean | string; restrictedConfigurations: string[] } };
      categories: string[];
      icon: string;
      main: string;
      contributes: { commands: Array<{ command: string }>; configuration: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(manifest.activationEvents.sort(), ['onLanguage:python', 'workspaceContains:**/*.py']);
    // The extension never runs workspace code and has no setting that points at an executable; only the
    // documentation link base could be abused by a cloned repository, so it is restricted.
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['asyncPitfalls.docsBaseUrl']);
    assert.ok(manifest.categories.includes('Linters'));
    assert.equal(manifest.icon, 'images/icon.png');
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), ['asyncPitfalls.fixAll', 'asyncPitfalls.restartServer', 'asyncPitfalls.showOutput']);
    const keys = Object.keys(manifest.contributes.configuration.properties).map((k) => k.replace('asyncPitfalls.', ''));
    // Every server setting is exposed in VS Code (trace.server is the client's own).
    const { DEFAULT_SETTINGS } = require('../server/src/lsp/settings') as typeof import('../server/src/lsp/settings');
    assert.deepEqual(keys.filter((k) => k !== 'trace.server').sort(), Object.keys(DEFAULT_SETTINGS).sort());
  });

  it('runs the packaged server over stdio', async () => {
    const client = new LspClient(['--stdio'], path.join(unpacked, 'extension/dist/server.js'));
    await client.initialize();
    await client.open('file:///p.py', 'import time\nasync def f():\n    time.sleep(1)\n');
    const { diagnostics } = await client.diagnostics('file:///p.py', (p) => p.diagnostics.length > 0);
    assert.equal(diagnostics[0]!.code, 'AIO101');
    assert.ok(fs.existsSync(new URL(diagnostics[0]!.codeDescription!.href)), 'the rule page link points into the package');
    await client.shutdown();
  });

  it('runs the packaged CLI', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-pkg-cli-'));
    fs.writeFileSync(path.join(dir, 'a.py'), 'import time\nasync def f():\n    time.sleep(1)\n');
    const result = spawnSync(process.execPath, [path.join(unpacked, 'extension/dist/cli.js'), 'check', 'a.py'], { cwd: dir, encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.match(result.stdout, /^a\.py:3:5: AIO101/m);
  });
});

describe('npm package', function () {
  this.timeout(180_000);
  let project: string;
  let out: string;

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-npm-'));
    const tarball = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'pack-npm.mjs'), '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    project = path.join(out, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{"name": "user-project", "private": true}\n');
    // Offline: the package has no dependencies, everything is bundled.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('is self-contained: no dependencies, only the bundles, grammar, docs and examples', () => {
    const installed = path.join(project, 'node_modules', 'async-pitfalls');
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies?: object };
    assert.equal(manifest.dependencies, undefined);
    assert.deepEqual(manifest.bin, { 'async-pitfalls': 'dist/cli.js', 'async-pitfalls-lsp': 'dist/server.js' });
    assert.deepEqual(fs.readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.')), ['async-pitfalls']);
    for (const f of ['dist/cli-worker.js', 'dist/tree-sitter-python.wasm', 'dist/docs/rules/AIO112.md', 'examples', 'README.md']) assert.ok(fs.existsSync(path.join(installed, f)), f);
  });

  it('runs the checker with npx', () => {
    fs.writeFileSync(path.join(project, 'a.py'), 'import time\nasync def f():\n    time.sleep(1)\n');
    const result = spawnSync('npx', ['--no-install', 'async-pitfalls', 'check', 'a.py'], { cwd: project, encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^a\.py:3:5: AIO101/m);
    const examples = spawnSync('npx', ['--no-install', 'async-pitfalls', 'check'], { cwd: project, encoding: 'utf8' });
    assert.match(examples.stderr, /checking the bundled examples/);
    assert.equal(examples.status, 1);
  });

  it('runs the language server from its bin', async () => {
    const bin = fs.realpathSync(path.join(project, 'node_modules', '.bin', 'async-pitfalls-lsp'));
    const client = new LspClient(['--stdio'], bin);
    await client.initialize();
    await client.open('file:///p.py', 'import time\nasync def f():\n    time.sleep(1)\n');
    const { diagnostics } = await client.diagnostics('file:///p.py', (p) => p.diagnostics.length > 0);
    assert.equal(diagnostics[0]!.code, 'AIO101');
    assert.ok(fs.existsSync(new URL(diagnostics[0]!.codeDescription!.href)), 'the rule page link points into the package');
    await client.shutdown();
  });
});
