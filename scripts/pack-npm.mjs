#!/usr/bin/env node
/**
 * Builds the npm package of the command-line checker and the language server:
 * `async-pitfalls` and `async-pitfalls-lsp` as bins, the production bundles,
 * the grammar, rule pages, concept notes and bundled examples; no dependencies
 * (everything is bundled). Writes the tarball to build/ (or the folder given
 * with --out) and prints its path.
 *
 *   node scripts/pack-npm.mjs            # -> build/async-pitfalls-<version>.tgz
 *   npm publish build/async-pitfalls-<version>.tgz
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const outDir = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(root, 'build'));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });

const staging = fs.mkdtempSync(path.join(outDir + '-staging-'));
try {
  const pkgDir = path.join(staging, 'package');
  fs.mkdirSync(path.join(pkgDir, 'dist'), { recursive: true });
  for (const file of ['cli.js', 'cli-worker.js', 'server.js', 'tree-sitter-python.wasm', 'web-tree-sitter.wasm']) {
    fs.copyFileSync(path.join(root, 'dist', file), path.join(pkgDir, 'dist', file));
  }
  fs.cpSync(path.join(root, 'dist', 'docs'), path.join(pkgDir, 'dist', 'docs'), { recursive: true });
  fs.cpSync(path.join(root, 'examples'), path.join(pkgDir, 'examples'), { recursive: true });
  fs.copyFileSync(path.join(root, 'docs', 'npm.md'), path.join(pkgDir, 'README.md'));
  for (const file of ['LICENSE', 'CHANGELOG.md']) fs.copyFileSync(path.join(root, file), path.join(pkgDir, file));
  const npmManifest = {
    name: manifest.name,
    version: manifest.version,
    description: 'Static analyzer for asynchronous Python: a command-line checker for CI and a language server for any LSP editor.',
    license: manifest.license,
    keywords: [...manifest.keywords, 'lsp', 'language-server', 'static-analysis'],
    bin: { 'async-pitfalls': 'dist/cli.js', 'async-pitfalls-lsp': 'dist/server.js' },
    files: ['dist', 'examples', 'README.md', 'LICENSE', 'CHANGELOG.md'],
    engines: { node: '>=20' },
  };
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(npmManifest, null, 2) + '\n');
  fs.mkdirSync(outDir, { recursive: true });
  const packed = execFileSync('npm', ['pack', '--pack-destination', outDir, '--json'], { cwd: pkgDir, encoding: 'utf8' });
  const [{ filename, size, entryCount }] = JSON.parse(packed);
  const tarball = path.join(outDir, filename);
  process.stderr.write(`${entryCount} files, ${(size / 1024).toFixed(0)} KB\n`);
  process.stdout.write(tarball + '\n');
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
