/**
 * The packaged extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3) in Debian's Chromium,
 * driven by Playwright. Builds and installs the .vsix, opens a fixture workspace and checks, through
 * the DOM only, what a user sees: the Problems panel, a hover, a quick fix, and diagnostics following
 * typing. Screenshots of each step go to artifacts/e2e/. Install: `sudo bash scripts/install-e2e.sh`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { isolatedEnv, startCodeServer, tail, type RunningCodeServer } from './vscode/code-server';
import { ARTIFACTS, CHROMIUM, CODE_SERVER_BIN, REPO, requirePrerequisites } from './vscode/environment';
import { buildVsix, installVsix } from './vscode/extension';
import { waitFor } from './vscode/poll';
import { Screenshots, Workbench } from './vscode/workbench';

const FIXTURE = path.join(__dirname, 'fixtures', 'workspace');

/** The first sentence of AIO101's "Why is this a problem": the hover must quote the rule page. */
function ruleExplanation(code: string): string {
  const page = fs.readFileSync(path.join(REPO, 'docs', 'rules', `${code}.md`), 'utf8');
  const section = /## Why is this a problem\s+([^]*?)\n\n/.exec(page)?.[1];
  const sentence = section?.replace(/\s+/g, ' ').match(/^[^.`*[]+\./)?.[0];
  assert.ok(sentence, `no plain first sentence under "Why is this a problem" in docs/rules/${code}.md`);
  return sentence;
}

describe('VS Code end to end (code-server + Chromium)', function () {
  let tmp: string;
  let workspace: string;
  let server: RunningCodeServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let workbench: Workbench;
  let shots: Screenshots;
  let started = 0;

  before(async function () {
    this.timeout(150_000);
    requirePrerequisites(this);
    started = Date.now();
    const phases: string[] = [];
    let mark = Date.now();
    const phase = (name: string) => {
      phases.push(`${name} ${((Date.now() - mark) / 1000).toFixed(1)} s`);
      mark = Date.now();
    };
    shots = new Screenshots(ARTIFACTS);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-vscode-e2e-'));
    // A fresh copy every run: quick fixes and saves write to the workspace.
    workspace = path.join(tmp, 'workspace');
    fs.cpSync(FIXTURE, workspace, { recursive: true });

    const vsix = path.join(tmp, 'async-pitfalls.vsix');
    buildVsix(vsix);
    phase('vsix');
    const home = path.join(tmp, 'code-server');
    const extensionsDir = path.join(tmp, 'extensions');
    installVsix(CODE_SERVER_BIN, vsix, extensionsDir, isolatedEnv(home));
    phase('install');
    server = await startCodeServer(CODE_SERVER_BIN, workspace, { home, extensionsDir });
    phase('code-server');

    const { chromium } = await import('playwright-core');
    // Playwright refuses --user-data-dir in args; a persistent context takes the profile folder instead.
    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    workbench = new Workbench(page);
    await workbench.open(`${server.url}?folder=${encodeURIComponent(workspace)}`);
    await workbench.openFile('app.py', 'async def handle');
    phase('workbench');
    console.log(`    setup: ${phases.join(', ')}`);
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (server) {
      fs.copyFileSync(server.logPath, path.join(ARTIFACTS, 'code-server.log'));
      console.log(`    VS Code end to end: ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(REPO, ARTIFACTS)}/`);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A test step whose failure names the screenshot of the moment it failed, and the server log. */
  function step(title: string, shot: string, body: () => Promise<void>): void {
    it(title, async function () {
      this.timeout(60_000);
      try {
        await body();
      } catch (error) {
        const file = await shots.take(page, `failure-${shot}`).catch(() => shots.last);
        const log = server ? `\ncode-server log (${server.logPath}), last lines:\n${await tail(server.logPath, 15)}` : '';
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message}\nscreenshot: ${file ?? '(none)'}${log}`);
      }
    });
  }

  const squiggles = () => page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').count();
  const appOnDisk = () => fs.readFileSync(path.join(workspace, 'app.py'), 'utf8');

  step('lists the findings, with their codes, in the Problems panel (one of them across modules)', '01-problems', async () => {
    await workbench.showProblems();
    const rows = await workbench.waitForProblems(
      'AIO101 (time.sleep) and AIO201 (save_order from store.py) in the Problems panel',
      (rows) => rows.some((r) => r.includes('AIO101')) && rows.some((r) => r.includes('AIO201')),
      { timeoutMs: 45_000 },
    );
    const blocking = rows.find((r) => r.includes('AIO101'))!;
    assert.match(blocking, /`?time\.sleep\(\)`? in `?async def handle`?/, blocking);
    assert.match(blocking, /Ln 8, Col 5/, blocking);
    const unawaited = rows.find((r) => r.includes('AIO201'))!;
    assert.match(unawaited, /save_order\(\)/, unawaited);
    assert.match(unawaited, /Ln 13, Col 5/, unawaited);
    assert.equal(rows.filter((r) => /AIO\d{3}/.test(r)).length, 2, `exactly two findings expected:\n${rows.join('\n')}`);
    await waitFor('two squiggles in the editor', async () => (await squiggles()) >= 2, async () => `${await squiggles()} squiggles`);
    await shots.take(page, '01-problems');
  });

  step('explains a finding on hover and links its concept note', '02-hover', async () => {
    const hover = await workbench.hover('time.sleep(1)', 'sleep', 'AIO101 blocking-sleep');
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(ruleExplanation('AIO101')), `the hover lacks the rule page's explanation:\n${text}`);
    assert.match(text, /Fix: Replace with .?await asyncio\.sleep/, text);
    const concept = hover.locator('a', { hasText: 'Avoiding blocking calls' });
    assert.equal(await concept.count(), 1, `no "Avoiding blocking calls" link in the hover:\n${text}`);
    const target = (await concept.getAttribute('data-href')) ?? (await concept.getAttribute('href')) ?? '';
    assert.match(decodeURIComponent(target), /concepts\/avoiding-blocking-calls\.md/, target);
    assert.equal(await hover.locator('a', { hasText: 'AIO101 blocking-sleep' }).count(), 1, 'no link to the rule page in the hover');
    await workbench.scrollHoverTo(hover, concept);
    await shots.take(page, '02-hover');
    await page.keyboard.press('Escape');
  });

  step('offers the quick fix, applies it, and the finding goes away', '03-quickfix', async () => {
    await page.mouse.move(5, 5); // away from the hover
    await workbench.clickOn('time.sleep(1)', 'sleep');
    const title = /Replace with .?await asyncio\.sleep/;
    const menu = await workbench.openQuickFixMenu(title);
    assert.ok(menu.some((t) => /Ignore AIO101 on this line/.test(t)), `the "Ignore" fix is missing from the menu:\n${menu.join('\n')}`);
    await shots.take(page, '03-quickfix-menu');
    await workbench.runQuickFix(title);

    const lines = await waitFor(
      'the editor to show the fixed line',
      async () => {
        const lines = await workbench.editorLines();
        return lines.includes('    await asyncio.sleep(1)') ? lines : undefined;
      },
      () => workbench.describeEditor(),
    );
    assert.ok(lines.includes('import asyncio'), `the fix did not add "import asyncio":\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => l.includes('time.sleep(1)')), `time.sleep(1) is still there:\n${lines.join('\n')}`);

    const rows = await workbench.waitForProblems('AIO101 to leave the Problems panel', (rows) => !rows.some((r) => r.includes('AIO101')));
    assert.ok(rows.some((r) => r.includes('AIO201')), `AIO201 should remain:\n${rows.join('\n')}`);

    // Saved explicitly: VS Code's refactoring auto-save may or may not have written it already.
    await workbench.save();
    const onDisk = await waitFor('app.py on disk to contain the fix', async () => {
      const text = appOnDisk();
      return text.includes('    await asyncio.sleep(1)\n') ? text : undefined;
    }, async () => appOnDisk());
    assert.match(onDisk, /^import asyncio$/m);
    assert.doesNotMatch(onDisk, /time\.sleep/);
    await shots.take(page, '04-after-fix');
  });

  step('updates the diagnostics as a new blocking call is typed (before saving)', '05-typing', async () => {
    const before = await squiggles();
    await workbench.typeLineAfter('async def ship(order_id):', 'time.sleep(2)');
    await waitFor('the typed line in the editor', async () => (await workbench.editorLines()).includes('    time.sleep(2)'), () => workbench.describeEditor());
    const rows = await workbench.waitForProblems('a new AIO101 in async def ship', (rows) => rows.some((r) => r.includes('AIO101') && r.includes('async def ship')));
    const typed = rows.find((r) => r.includes('AIO101'))!;
    assert.match(typed, /Ln 19, Col 5/, typed);
    await waitFor('one more squiggle', async () => (await squiggles()) > before, async () => `${await squiggles()} squiggles (was ${before})`);
    assert.doesNotMatch(appOnDisk(), /time\.sleep\(2\)/, 'the finding must come from the unsaved editor text');
    await shots.take(page, '05-typing');
  });
});
