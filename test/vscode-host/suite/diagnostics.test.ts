/**
 * Runs inside the VS Code extension host with the extension from this checkout, on a copy of
 * test/e2e/fixtures/workspace: the same four behaviours as the code-server test, through the API.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('async-pitfalls in the VS Code extension host', () => {
  let document: vscode.TextDocument;
  const diagnostics = () => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'async-pitfalls');
  const find = (code: string) => diagnostics().find((d) => codeOf(d) === code);

  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'run.ts opens the fixture workspace');
    document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'app.py'));
    await vscode.window.showTextDocument(document);
  });

  it('reports the blocking call and the cross-module missing await', async () => {
    const blocking = await until('AIO101', () => find('AIO101'));
    assert.deepEqual([blocking.range.start.line, blocking.range.start.character], [7, 4]);
    assert.match(blocking.message, /async def handle/);
    const unawaited = await until('AIO201 (save_order from store.py)', () => find('AIO201'));
    assert.deepEqual([unawaited.range.start.line, unawaited.range.start.character], [12, 4]);
    assert.ok(
      unawaited.relatedInformation?.some((r) => r.location.uri.path.endsWith('/store.py')),
      'AIO201 should point at the async def in store.py',
    );
  });

  it('explains the finding on hover with links to the rule page and concept note', async () => {
    const blocking = find('AIO101')!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, blocking.range.start.translate(0, 6));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /AIO101 blocking-sleep/);
    assert.match(decodeURIComponent(text), /concepts\/avoiding-blocking-calls\.md/);
  });

  it('offers the preferred quick fix, and applying it removes the finding', async () => {
    const blocking = find('AIO101')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, blocking.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /Replace with .await asyncio\.sleep/.test(a.title));
    assert.ok(fix?.edit, `no asyncio.sleep fix among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.getText(), /^ {4}await asyncio\.sleep\(1\)$/m);
    assert.match(document.getText(), /^import asyncio$/m);
    await until('AIO101 to go away', () => !find('AIO101'));
    assert.ok(find('AIO201'), 'AIO201 should remain');
  });

  it('updates the diagnostics when a blocking call is typed', async () => {
    const line = document.getText().split('\n').findIndex((l) => l.startsWith('async def ship'));
    assert.ok(line >= 0);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(line + 1, 0), '    time.sleep(2)\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const typed = await until('AIO101 in async def ship', () => diagnostics().find((d) => codeOf(d) === 'AIO101' && d.message.includes('async def ship')));
    assert.equal(typed.range.start.line, line + 1);
  });
});
