/**
 * Shared by the terminal-editor end-to-end tests (Neovim, Emacs): find the editor or skip/fail,
 * copy the fixture project, and run an editor-side driver script that prints one
 * `E2E_RESULT <json>` line. The drivers only collect what the editor saw; the mocha tests assert.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const EDITOR_FIXTURES = path.join(__dirname, 'fixtures', 'editors');
export const INSTALL_COMMAND = 'sudo bash scripts/install-editors.sh   # apt-get install -y neovim emacs-nox elpa-eglot';

/** True on CI, where a missing editor is a broken setup and must fail, not skip. */
function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** The first line `binary --version` prints, or undefined when it cannot be run. */
export function editorVersion(binary: string, args: string[] = ['--version']): string | undefined {
  const probe = spawnSync(binary, args, { encoding: 'utf8', timeout: 20_000 });
  if (probe.error || probe.status !== 0) return undefined;
  return probe.stdout.split('\n')[0]?.trim();
}

/**
 * Skips the suite (with the install command) when the editor is missing locally; throws on CI.
 * Also insists on the built server, which these tests start exactly as users do.
 */
export function requireEditor(context: Mocha.Context, binary: string, versionArgs?: string[]): string {
  const version = editorVersion(binary, versionArgs);
  if (!version) {
    const message = `${binary} is not installed (or does not start). Install it with:\n      ${INSTALL_COMMAND}`;
    if (onCi()) throw new Error(`CI=${process.env.CI}: ${message}`);
    console.log(`    skipped: ${message}`);
    context.skip();
  }
  serverCommand(); // fail early and clearly when dist/ is missing
  return version!;
}

/** How the editors start the server: the bundled bin, as `async-pitfalls-lsp --stdio` would. */
export function serverCommand(): string[] {
  // Lets a developer point the tests at another build (e.g. a patched copy) without touching dist/.
  const server = process.env.ASYNC_PITFALLS_E2E_SERVER ?? path.join(REPO, 'dist', 'server.js');
  if (!fs.existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\` first`);
  return [process.execPath, server, '--stdio'];
}

/** A fresh copy of the fixture project per run: code actions change the files. */
export function copyFixtures(prefix: string): { dir: string; remove: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `async-pitfalls-${prefix}-`));
  const dir = path.join(root, 'project');
  fs.cpSync(EDITOR_FIXTURES, dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export interface DriverRun<T> {
  result: T;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  ms: number;
}

const RESULT_PREFIX = 'E2E_RESULT ';

function lastLines(text: string, count = 25): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * Runs the editor with a driver until it exits or `timeoutMs` passes. The editor gets its own
 * process group so that a timeout also ends the language server it started.
 */
export function runDriver<T>(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<DriverRun<T>> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      const context = `\n--- stdout (last lines)\n${lastLines(stdout)}\n--- stderr (last lines)\n${lastLines(stderr)}`;
      if (timedOut) return reject(new Error(`${command} did not finish within ${options.timeoutMs} ms${context}`));
      if (!line) return reject(new Error(`${command} exited with ${exitCode} without printing ${RESULT_PREFIX.trim()}${context}`));
      let result: T;
      try {
        result = JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
      } catch (error) {
        return reject(new Error(`unparsable driver result (${String(error)}): ${line}${context}`));
      }
      resolve({ result, stdout, stderr, exitCode, ms });
    });
  });
}

/** The fixture file with one line replaced: what a code action should leave in the buffer. */
export function fixtureWithLine(file: string, line: number, text: string): string {
  const lines = fs.readFileSync(path.join(EDITOR_FIXTURES, file), 'utf8').split('\n');
  lines[line] = text;
  return lines.join('\n');
}

/** The explanation and rule-page link the server's hover must carry for `code`. */
export const hoverExpectations = {
  explanation: 'blocks the whole event loop thread',
  ruleLink: (code: string) => new RegExp(`\\[${code} [a-z-]+\\]\\((?:file|https?)://[^)\\s]*/rules/${code}\\.md\\)`),
};
