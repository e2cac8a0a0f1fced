/**
 * Runs test/vscode-host/suite inside a real desktop VS Code (the extension host), with the extension
 * loaded from this checkout. Needs network access to update.code.visualstudio.com (or a cached
 * download in .e2e/vscode-test/): `npx tsx test/vscode-host/run.ts`. VSCODE_VERSION picks the version
 * (default: the oldest the extension supports, from package.json's engines.vscode; `stable` works too).
 * Where VS Code cannot be downloaded, test/e2e/vscode.e2e.test.ts covers the same ground in code-server.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'out', 'vscode-host');
const FIXTURE = path.join(REPO, 'test', 'e2e', 'fixtures', 'workspace');

function oldestSupportedVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  return manifest.engines.vscode.replace(/^[^\d]*/, '');
}

async function main(): Promise<number> {
  // The extension under test is dist/extension.js; the suite runs in the extension host, which loads
  // JavaScript only, so it is bundled too (vscode and mocha stay external: the host provides the first).
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite', 'index.ts'), path.join(__dirname, 'suite', 'diagnostics.test.ts')],
    outdir: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: true,
    logLevel: 'warning',
  });

  // A fresh copy: the suite applies a quick fix and edits the file.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-vscode-host-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(FIXTURE, workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? oldestSupportedVersion(),
      cachePath: path.join(REPO, '.e2e', 'vscode-test'), // gitignored, beside code-server
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(OUT, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(tmp, 'user-data')],
    });
    return 0;
  } catch (error) {
    console.error(`VS Code extension-host tests failed: ${error instanceof Error ? error.message : String(error)}`);
    if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|getaddrinfo/.test(String(error))) {
      console.error('VS Code could not be downloaded here; run the code-server end-to-end test instead: npm run test:e2e');
    }
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
