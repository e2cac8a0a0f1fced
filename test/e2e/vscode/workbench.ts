/**
 * The VS Code workbench seen through its DOM (code-server in Chromium, driven by Playwright): open a
 * file, read the editor and the Problems panel, hover, run a quick fix, type. Every read polls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { waitFor, type PollOptions } from './poll';

/** Non-breaking spaces are how Monaco renders indentation. */
const clean = (text: string) => text.replace(/\u00a0/g, ' ');

export class Screenshots {
  last: string | undefined;
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    // A failure screenshot left by an earlier run would be mistaken for this run's.
    for (const file of fs.readdirSync(dir)) if (/^failure-.*\.png$/.test(file)) fs.rmSync(path.join(dir, file));
  }
  async take(page: Page, name: string): Promise<string> {
    const file = path.join(this.dir, `${name}.png`);
    await page.screenshot({ path: file });
    this.last = file;
    return file;
  }
}

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await waitFor('the workbench to render', async () => (await this.page.locator('.monaco-workbench .part.editor').count()) > 0, () => this.page.title(), { timeoutMs: 60_000 });
  }

  /** Opens a file by clicking it in the Explorer, then waits until its editor shows `firstLine`. */
  async openFile(name: string, firstLine: string): Promise<void> {
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
    await waitFor(`${name} in the Explorer`, async () => (await row.count()) > 0, () => this.sidebarText(), { timeoutMs: 60_000 });
    await row.click();
    await waitFor(`the editor of ${name} to show "${firstLine}"`, async () => (await this.editorLines()).some((l) => l.includes(firstLine)), () => this.describeEditor());
  }

  /** The visible lines of the active editor, top to bottom (Monaco does not keep them in DOM order). */
  async editorLines(): Promise<string[]> {
    const lines = await this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').evaluateAll((nodes) =>
      nodes.map((n) => ({ top: parseFloat(/top:\s*(-?[\d.]+)px/.exec(n.getAttribute('style') ?? '')?.[1] ?? '0'), text: n.textContent ?? '' })),
    );
    return lines.sort((a, b) => a.top - b.top).map((l) => clean(l.text));
  }

  async describeEditor(): Promise<string> {
    return (await this.editorLines()).join('\n');
  }

  private async sidebarText(): Promise<string> {
    return clean(await this.page.locator('.part.sidebar').innerText().catch(() => '(no sidebar)'));
  }

  /** Shows the Problems panel (Ctrl+Shift+M toggles, so only when it is not visible yet). */
  async showProblems(): Promise<void> {
    if (await this.page.locator('.markers-panel').isVisible()) return;
    await this.page.keyboard.press('Control+Shift+M');
    await waitFor('the Problems panel', () => this.page.locator('.markers-panel').isVisible(), () => this.page.locator('.part.panel').innerText().catch(() => '(no panel)'));
  }

  /** One string per row of the Problems panel (file rows and marker rows). */
  async problemRows(): Promise<string[]> {
    return (await this.page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((t) => clean(t).replace(/\s+/g, ' ').trim());
  }

  async waitForProblems(what: string, accept: (rows: string[]) => boolean, options?: PollOptions): Promise<string[]> {
    return waitFor(what, async () => {
      const rows = await this.problemRows();
      return accept(rows) ? rows : undefined;
    }, async () => (await this.problemRows()).join('\n') || '(no rows in the Problems panel)', options);
  }

  /** The rendered text of the line containing `lineText`, positioned at `word` (its middle). */
  async wordPosition(lineText: string, word: string): Promise<{ x: number; y: number }> {
    const line = await this.lineLocator(lineText);
    const content = line.locator(':scope > span').first();
    const box = await content.boundingBox();
    const text = clean((await content.textContent()) ?? '');
    const column = text.indexOf(word);
    if (!box || column < 0) throw new Error(`"${word}" is not visible on the line "${text}"`);
    const charWidth = box.width / text.length; // the editor font is monospace
    return { x: box.x + charWidth * (column + word.length / 2), y: box.y + box.height / 2 };
  }

  private async lineLocator(lineText: string): Promise<Locator> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    const texts = (await lines.allTextContents()).map(clean);
    const index = texts.findIndex((t) => t.includes(lineText));
    if (index < 0) throw new Error(`no editor line contains "${lineText}"; lines:\n${(await this.editorLines()).join('\n')}`);
    return lines.nth(index);
  }

  /** Hovers `word` on the line containing `lineText`; returns the hover once its text contains `expected`. */
  async hover(lineText: string, word: string, expected: string): Promise<Locator> {
    // The hover has a part for the diagnostic (the marker) and one per hover provider; the whole is checked.
    const hover = this.page.locator('.monaco-hover:not(.hidden)').first();
    await waitFor(
      `a hover containing "${expected}" over "${word}"`,
      async () => {
        const { x, y } = await this.wordPosition(lineText, word);
        // Move off and back on: a hover only (re)opens when the mouse arrives.
        await this.page.mouse.move(x, y + 200);
        await this.page.mouse.move(x, y, { steps: 3 });
        // Give this hover attempt a few seconds (the server may still be analyzing) before moving again.
        const shown = async () => (await hover.isVisible()) && clean(await hover.innerText()).includes(expected);
        return waitFor('this hover attempt', shown, async () => '', { timeoutMs: 3_000 }).then(() => true, () => false);
      },
      async () => clean(await this.page.locator('.monaco-hover').allInnerTexts().then((t) => t.join('\n---\n'))) || '(no hover)',
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    return hover;
  }

  /**
   * Scrolls the open hover until `link` is inside its visible box (Monaco scrolls with its own
   * scrollbar, so this uses the mouse wheel; the hover is sticky, so the mouse may enter it).
   */
  async scrollHoverTo(hover: Locator, link: Locator): Promise<void> {
    const box = await hover.boundingBox();
    if (!box) throw new Error('the hover is not visible');
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 2 });
    await waitFor(
      'the hover to scroll its links into view',
      async () => {
        const target = await link.boundingBox();
        if (target && target.y + target.height <= box.y + box.height) return true;
        await this.page.mouse.wheel(0, 120);
        return false;
      },
      async () => `link at ${JSON.stringify(await link.boundingBox())}, hover at ${JSON.stringify(box)}`,
      { timeoutMs: 10_000, intervalMs: 150 },
    );
  }

  /** Puts the cursor on `word` of the line containing `lineText`. */
  async clickOn(lineText: string, word: string): Promise<void> {
    const { x, y } = await this.wordPosition(lineText, word);
    await this.page.mouse.click(x, y);
  }

  /** Opens the quick-fix menu at the cursor and waits for an entry matching `title`; returns all entries. */
  async openQuickFixMenu(title: RegExp): Promise<string[]> {
    const rows = this.page.locator('.action-widget .monaco-list-row');
    return waitFor(
      `a quick fix matching ${title}`,
      async () => {
        if ((await rows.count()) === 0) {
          await this.page.keyboard.press('Control+.');
          await this.page.locator('.action-widget').waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
        }
        const texts = (await rows.allInnerTexts()).map((t) => clean(t).trim());
        return texts.some((t) => title.test(t)) ? texts : undefined;
      },
      async () => (await rows.allInnerTexts()).join('\n') || '(no quick-fix menu)',
    );
  }

  /**
   * Runs the menu entry matching `title`. Mouse clicks on the menu are swallowed by its pointer
   * blocker, so the entry is reached with the arrow keys and run with Enter.
   */
  async runQuickFix(title: RegExp): Promise<void> {
    const focused = this.page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 20; i++) {
      const text = clean((await focused.innerText().catch(() => '')) ?? '');
      if (title.test(text)) {
        await this.page.keyboard.press('Enter');
        await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not focus a quick fix matching ${title}; menu:\n${(await this.page.locator('.action-widget .monaco-list-row').allInnerTexts()).join('\n')}`);
  }

  /** Types a new line after the line containing `lineText` (the editor indents it). */
  async typeLineAfter(lineText: string, text: string): Promise<void> {
    await this.clickOn(lineText, lineText.trim());
    await this.page.keyboard.press('End');
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.type(text, { delay: 30 });
  }

  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
  }
}
