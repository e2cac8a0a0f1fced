/**
 * The language server in headless Neovim's built-in LSP client (Debian 12: Neovim 0.7.2, so the
 * driver uses vim.lsp.start_client). Starts `node dist/server.js --stdio` as a user's config would,
 * and checks what Neovim itself ends up with: vim.diagnostic entries, the hover markdown, and the
 * buffer after vim.lsp.buf.code_action() applied a fix. Install: `sudo bash scripts/install-editors.sh`.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { copyFixtures, fixtureWithLine, hoverExpectations, requireEditor, runDriver, serverCommand, type DriverRun } from './editor-driver';

const DRIVER = path.join(__dirname, 'neovim', 'driver.lua');

interface NvimDiagnostic {
  code: string | null;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  severity: number;
  source: string | null;
  message: string;
}

interface NvimResult {
  nvim: string;
  error?: string;
  steps: string[];
  files: Record<string, { filetype: string; diagnostics: NvimDiagnostic[]; waitedMs: number }>;
  hover?: { kind: string | null; value: string | null } | null;
  codeAction?: { offered: string[]; chosen: string | null; text: string };
}

/** vim.diagnostic.severity */
const SEVERITY = { error: 1, warning: 2, information: 3, hint: 4 };

async function runNeovim(env: Record<string, string>): Promise<DriverRun<NvimResult>> {
  const project = copyFixtures('nvim');
  try {
    const run = await runDriver<NvimResult>('nvim', ['--headless', '--clean', '-u', DRIVER], {
      cwd: project.dir,
      env: { E2E_SERVER_CMD: JSON.stringify(serverCommand()), E2E_WAIT_MS: '15000', ...env },
      timeoutMs: 60_000,
    });
    assert.equal(run.result.error, undefined, `driver error: ${run.result.error}\nsteps: ${run.result.steps.join(' | ')}\n${run.stderr}`);
    return run;
  } finally {
    project.remove();
  }
}

function summary(diagnostics: NvimDiagnostic[] | undefined): string {
  return JSON.stringify(diagnostics?.map((d) => `${d.code}@${d.line}:${d.character}-${d.endLine}:${d.endCharacter}`));
}

describe('Neovim end to end (headless, built-in LSP client)', function () {
  let run: DriverRun<NvimResult>;

  before(async function () {
    const version = requireEditor(this, 'nvim');
    run = await runNeovim({ E2E_FILES: 'app.py,pkg/checkout.py', E2E_ACTION: 'asyncio.sleep' });
    console.log(`    ${version}: ${run.ms} ms (${run.result.steps.join(', ')})`);
  });

  it('attaches to Python buffers and publishes diagnostics with codes and positions', function () {
    const app = run.result.files['app.py'];
    assert.ok(app, 'app.py was not opened');
    assert.equal(app.filetype, 'python');
    assert.deepEqual(
      app.diagnostics.map((d) => ({ code: d.code, source: d.source, severity: d.severity, range: [d.line, d.character, d.endLine, d.endCharacter] })),
      // `time.sleep(1)` on line 7: the call's callee and arguments, 0-based.
      [{ code: 'AIO101', source: 'async-pitfalls', severity: SEVERITY.warning, range: [6, 4, 6, 17] }],
      `diagnostics in app.py: ${summary(app.diagnostics)}`,
    );
    assert.match(app.diagnostics[0]!.message, /`time\.sleep\(\)` in `async def handle`/);
  });

  it('follows the import: an async def of another module called without await is AIO201', function () {
    const checkout = run.result.files['pkg/checkout.py'];
    assert.ok(checkout, 'pkg/checkout.py was not opened');
    assert.deepEqual(
      checkout.diagnostics.map((d) => [d.code, d.line, d.character, d.endLine, d.endCharacter]),
      [['AIO201', 5, 4, 5, 24]],
      `diagnostics in pkg/checkout.py: ${summary(checkout.diagnostics)}`,
    );
    assert.match(checkout.diagnostics[0]!.message, /`save_order\(\)` creates a coroutine that is never awaited/);
  });

  it('hovers the finding with the explanation and a link to the rule page', function () {
    const hover = run.result.hover;
    assert.ok(hover && typeof hover.value === 'string', `no hover: ${JSON.stringify(hover)}`);
    assert.equal(hover.kind, 'markdown');
    assert.match(hover.value, /\*\*AIO101 blocking-sleep\*\*/);
    assert.ok(hover.value.includes(hoverExpectations.explanation), `hover lacks the explanation:\n${hover.value}`);
    assert.match(hover.value, hoverExpectations.ruleLink('AIO101'));
  });

  it('offers the fix as a code action and vim.lsp.buf.code_action() applies it', function () {
    const action = run.result.codeAction;
    assert.ok(action, 'no code action step ran');
    assert.ok(action.offered.includes('Replace with `await asyncio.sleep(...)`'), `offered: ${JSON.stringify(action.offered)}`);
    assert.equal(action.chosen, 'Replace with `await asyncio.sleep(...)`');
    assert.equal(action.text.trimEnd(), fixtureWithLine('app.py', 6, '    await asyncio.sleep(1)').trimEnd());
  });

  it('takes settings from init_options (vim.lsp.start_client on 0.7 sends no workspace/configuration)', async function () {
    const configured = await runNeovim({
      E2E_FILES: 'app.py',
      E2E_SKIP_ACTIONS: '1',
      E2E_INIT_OPTIONS: JSON.stringify({ asyncPitfalls: { severity: { AIO101: 'information' } } }),
    });
    const diagnostics = configured.result.files['app.py']?.diagnostics ?? [];
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['AIO101', SEVERITY.information]],
      `diagnostics with AIO101 set to information: ${summary(diagnostics)}`,
    );
  });
});
