/**
 * Indexes the workspace's Python files in the background, in slices short
 * enough that diagnostics for the open file are never held up, and reports
 * progress to the editor with LSP work-done progress.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { WorkspaceIndex } from '../workspace/index';
import { collectPythonFiles } from '../workspace/files';

/** How long one slice may run before yielding to pending messages. */
const SLICE_MS = 12;
const REPORT_EVERY_MS = 250;

export interface IndexingResult {
  files: number;
  modules: number;
  milliseconds: number;
  cancelled: boolean;
}

export class BackgroundIndexer {
  private generation = 0;

  constructor(
    private readonly connection: Connection,
    private readonly index: WorkspaceIndex,
    private readonly supportsProgress: () => boolean,
  ) {}

  /** Starts over (a previous run is abandoned at its next slice). */
  async run(roots: readonly string[]): Promise<IndexingResult> {
    const generation = ++this.generation;
    const started = Date.now();
    const progress = this.supportsProgress() ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('async-pitfalls: indexing', 0, 'listing Python files', false);
    const stale = (): boolean => generation !== this.generation;
    try {
      const files: string[] = [];
      let sliceStart = Date.now();
      for (const file of collectPythonFiles(roots)) {
        files.push(file);
        if (Date.now() - sliceStart > SLICE_MS) {
          await yieldToMessages();
          if (stale()) return this.result(files.length, started, true);
          sliceStart = Date.now();
        }
      }
      let lastReport = 0;
      sliceStart = Date.now();
      for (let i = 0; i < files.length; i++) {
        try {
          this.index.summaryOfFile(files[i]!);
        } catch (error) {
          this.connection.console.error(`indexing ${files[i]} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        const now = Date.now();
        if (now - lastReport > REPORT_EVERY_MS) {
          progress?.report(Math.floor((100 * i) / files.length), `${i} of ${files.length} files`);
          lastReport = now;
        }
        if (now - sliceStart > SLICE_MS) {
          await yieldToMessages();
          if (stale()) return this.result(files.length, started, true);
          sliceStart = Date.now();
        }
      }
      const result = this.result(files.length, started, false);
      this.connection.console.info(`indexed ${result.modules} modules (${result.files} files) in ${(result.milliseconds / 1000).toFixed(1)} s`);
      return result;
    } finally {
      progress?.done();
    }
  }

  cancel(): void {
    this.generation++;
  }

  private result(files: number, started: number, cancelled: boolean): IndexingResult {
    return { files, modules: this.index.moduleCount, milliseconds: Date.now() - started, cancelled };
  }
}

function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
