/**
 * The language server in Emacs with eglot, in batch mode (Debian 12: Emacs 28.2 + elpa-eglot 1.9;
 * the driver also runs on Emacs 30's built-in eglot). Starts `node dist/server.js --stdio` through
 * `eglot-server-programs` and checks what Emacs ends up with: flymake diagnostics, the hover text
 * eglot renders for eldoc, and the buffer after `eglot-code-actions` applied a fix.
 * Install: `sudo bash scripts/install-editors.sh`.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { copyFixtures, fixtureWithLine, hoverExpectations, requireEditor, runDriver, serverCommand, type DriverRun } from './editor-driver';

const DRIVER = path.join(__dirname, 'emacs', 'driver.el');

interface Position {
  line: number;
  character: number;
}

interface EmacsDiagnostic {
  code: string | null;
  start: Position;
  end: Position;
  /** flymake type: eglot-error, eglot-warning, eglot-note */
  type: string;
  text: string;
}

interface EmacsResult {
  emacs: string;
  eglot: string | null;
  error?: string;
  steps: string[] | null;
  files: Record<string, { diagnostics: EmacsDiagnostic[]; waitedMs: number }> | null;
  hover?: string | null;
  codeAction?: { offered: string[]; chosen: string | null; text: string };
}

async function runEmacs(env: Record<string, string>): Promise<DriverRun<EmacsResult>> {
  const project = copyFixtures('emacs');
  try {
    const run = await runDriver<EmacsResult>('emacs', ['--batch', '-l', DRIVER], {
      cwd: project.dir,
      env: { E2E_SERVER_CMD: JSON.stringify(serverCommand()), E2E_WAIT_SECONDS: '15', ...env },
      timeoutMs: 60_000,
    });
    assert.equal(run.result.error, undefined, `driver error: ${run.result.error}\nsteps: ${run.result.steps?.join(' | ')}\n${run.stderr}`);
    return run;
  } finally {
    project.remove();
  }
}

function diagnosticsOf(run: DriverRun<EmacsResult>, file: string): EmacsDiagnostic[] {
  const entry = run.result.files?.[file];
  assert.ok(entry, `${file} was not opened; files: ${JSON.stringify(Object.keys(run.result.files ?? {}))}`);
  return entry.diagnostics;
}

function summary(diagnostics: EmacsDiagnostic[]): string {
  return JSON.stringify(diagnostics.map((d) => `${d.code}@${d.start.line}:${d.start.character}-${d.end.line}:${d.end.character} ${d.type}`));
}

const SEVERITY_SETTING = { asyncPitfalls: { severity: { AIO101: 'information' } } };

describe('Emacs end to end (eglot, batch mode)', function () {
  let run: DriverRun<EmacsResult>;

  before(async function () {
    const version = requireEditor(this, 'emacs');
    run = await runEmacs({ E2E_FILES: 'app.py,pkg/checkout.py', E2E_ACTION: 'asyncio.sleep' });
    console.log(`    ${version}, eglot ${run.result.eglot}: ${run.ms} ms (${run.result.steps?.join(', ')})`);
  });

  it('reports diagnostics through flymake with codes and positions', function () {
    const diagnostics = diagnosticsOf(run, 'app.py');
    assert.deepEqual(
      diagnostics.map((d) => ({ code: d.code, type: d.type, start: d.start, end: d.end })),
      [{ code: 'AIO101', type: 'eglot-warning', start: { line: 6, character: 4 }, end: { line: 6, character: 17 } }],
      `flymake diagnostics in app.py: ${summary(diagnostics)}`,
    );
    assert.match(diagnostics[0]!.text, /`time\.sleep\(\)` in `async def handle`/);
  });

  it('follows the import: an async def of another module called without await is AIO201', function () {
    const diagnostics = diagnosticsOf(run, 'pkg/checkout.py');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.type, d.start.line, d.start.character, d.end.line, d.end.character]),
      [['AIO201', 'eglot-error', 5, 4, 5, 24]],
      `flymake diagnostics in pkg/checkout.py: ${summary(diagnostics)}`,
    );
  });

  it('shows the explanation and the rule link in the eldoc hover', function () {
    const hover = run.result.hover;
    assert.ok(typeof hover === 'string', `no hover: ${JSON.stringify(hover)}`);
    assert.match(hover, /AIO101 blocking-sleep/);
    assert.ok(hover.includes(hoverExpectations.explanation), `hover lacks the explanation:\n${hover}`);
    // Without markdown-mode eglot shows the markdown source, so the link is still literal.
    assert.match(hover, hoverExpectations.ruleLink('AIO101'));
  });

  it('offers the fix in eglot-code-actions and applies it to the buffer', function () {
    const action = run.result.codeAction;
    assert.ok(action, 'no code action step ran');
    assert.ok(action.offered.includes('Replace with `await asyncio.sleep(...)`'), `offered: ${JSON.stringify(action.offered)}`);
    assert.equal(action.chosen, 'Replace with `await asyncio.sleep(...)`');
    assert.equal(action.text.trimEnd(), fixtureWithLine('app.py', 6, '    await asyncio.sleep(1)').trimEnd());
  });

  it('takes settings from eglot-workspace-configuration (workspace/configuration)', async function () {
    const configured = await runEmacs({ E2E_FILES: 'app.py', E2E_SKIP_ACTIONS: '1', E2E_WORKSPACE_CONFIGURATION: JSON.stringify(SEVERITY_SETTING) });
    const diagnostics = diagnosticsOf(configured, 'app.py');
    assert.deepEqual(diagnostics.map((d) => [d.code, d.type]), [['AIO101', 'eglot-note']], summary(diagnostics));
  });

  it('takes settings from :initializationOptions in eglot-server-programs', async function () {
    const configured = await runEmacs({ E2E_FILES: 'app.py', E2E_SKIP_ACTIONS: '1', E2E_INIT_OPTIONS: JSON.stringify(SEVERITY_SETTING) });
    const diagnostics = diagnosticsOf(configured, 'app.py');
    assert.deepEqual(diagnostics.map((d) => [d.code, d.type]), [['AIO101', 'eglot-note']], summary(diagnostics));
  });
});
