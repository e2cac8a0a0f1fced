/**
 * Indexes the workspace's Python files in the background, in slices that let
 * the open file's diagnostics through between them, and reports progress to the
 * editor with LSP work-done progress. A slice is cut between two modules, never
 * inside one: the largest module summarized sets the longest wait.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import type { Connection } from 'vscode-languageserver/node';
import { LoadDeferred, type WorkspaceIndex } from '../workspace/index';
import { collectPythonFiles } from '../workspace/files';
import { yieldToMessages } from './event-loop';

/** How long one slice may run before yielding to pending messages. */
const SLICE_MS = 12;
const REPORT_EVERY_MS = 250;
/**
 * Larger files are left out of the background pass (an open file that imports one still loads
 * it). Summarizing a module takes about 50 bytes of short-lived heap per byte of source, and
 * tree-sitter's memory grows to the largest tree and stays there: CPython's 740 KB
 * pydoc_data/topics.py alone added 15-20 MB to the server's peak. Such files are generated data
 * (message catalogs, protobuf modules, tables) more often than code another file calls into.
 */
const MAX_BACKGROUND_FILE_BYTES = 512 * 1024;

/**
 * V8 lets the old generation grow to up to four times what survived the last full collection
 * before it collects again. Indexing allocates fast (a syntax tree and a semantic model per
 * module, dropped once the module is summarized) while what it keeps grows slowly, so the heap
 * filled with garbage: the server peaked above 300 MB while its summaries took about 30 MB.
 * Growing by 30% at most keeps the peak under 200 MB on a 1.15 M-line workspace; the extra full
 * collections did not show in the CPU time. The flag is process-wide, and V8 reads it each time it sets the next
 * limit, so setting it after start-up takes effect.
 */
const HEAP_GROWING_PERCENT = 30;
let heapGrowthLimited = false;

function limitHeapGrowth(): void {
  if (heapGrowthLimited) return;
  heapGrowthLimited = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

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
    /** Tests set a slice length and a clock that make deferral deterministic. */
    private readonly timing: { sliceMs: number; now: () => number } = { sliceMs: SLICE_MS, now: Date.now },
  ) {}

  /** Starts over (a previous run is abandoned at its next slice). */
  async run(roots: readonly string[]): Promise<IndexingResult> {
    limitHeapGrowth();
    const generation = ++this.generation;
    const started = Date.now();
    const progress = this.supportsProgress() ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('async-pitfalls: indexing', 0, 'listing Python files', false);
    const stale = (): boolean => generation !== this.generation;
    try {
      const files: string[] = [];
      let tooLarge = 0;
      let sliceStart = this.timing.now();
      for (const file of collectPythonFiles(roots)) {
        if (sizeOf(file) <= MAX_BACKGROUND_FILE_BYTES) files.push(file);
        else tooLarge++;
        if (this.timing.now() - sliceStart > this.timing.sliceMs) {
          await yieldToMessages();
          if (stale()) return this.result(files.length, started, true);
          sliceStart = this.timing.now();
        }
      }
      let lastReport = 0;
      const slice = { start: this.timing.now() };
      for (let i = 0; i < files.length; i++) {
        if (!(await this.summarize(files[i]!, stale, slice))) return this.result(files.length, started, true);
        const now = Date.now();
        if (now - lastReport > REPORT_EVERY_MS) {
          progress?.report(Math.floor((100 * i) / files.length), `${i} of ${files.length} files`);
          lastReport = now;
        }
      }
      const result = this.result(files.length, started, false);
      const left = tooLarge > 0 ? `; ${tooLarge} over ${MAX_BACKGROUND_FILE_BYTES / 1024} KB left until an open file imports them` : '';
      this.connection.console.info(`indexed ${result.modules} modules (${result.files} files${left}) in ${(result.milliseconds / 1000).toFixed(1)} s`);
      return result;
    } finally {
      progress?.done();
    }
  }

  /**
   * Loads one file's summary without holding the event loop for long. Summarizing a module loads
   * the modules it looks into, and theirs, in one synchronous call: the first file of a large
   * package took seconds. So once the slice has run out, no further module is loaded:
   * - asked for by the file being loaded itself, it is noted and left unknown; the file is then
   *   loaded again after the modules it asked for (its first summary is dropped);
   * - asked for deeper down, the whole chain of loads is abandoned (modules finished meanwhile
   *   stay cached) and each module of the chain is loaded again on its own, innermost first.
   * The stack holds the loads in progress: asked for again, such a module is unknown, as in one
   * synchronous call (import cycles). Returns false when the run went stale meanwhile.
   */
  private async summarize(file: string, stale: () => boolean, slice: { start: number }): Promise<boolean> {
    const stack = [file];
    /** Loaded, or found unloadable, during this call: never deferred again. */
    const finished = new Set<string>();
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const askedFor: string[] = [];
      let abandoned: string[] = [];
      const spend = (wanted: string): boolean => {
        if (wanted === top || finished.has(wanted)) return true;
        if (stack.includes(wanted)) return false;
        if (this.timing.now() - slice.start <= this.timing.sliceMs) return true;
        const chain = this.index.loadingChain;
        if (chain.length <= 1) {
          askedFor.push(wanted);
          return false;
        }
        abandoned = [...chain.filter((f) => !stack.includes(f)), wanted];
        throw new LoadDeferred();
      };
      try {
        this.index.summaryOfFile(top, spend);
        if (askedFor.length > 0) {
          this.index.invalidate(top);
          stack.push(...new Set(askedFor));
        } else {
          finished.add(stack.pop()!);
        }
      } catch (error) {
        if (error instanceof LoadDeferred && abandoned.length > 0) {
          stack.push(...abandoned);
        } else {
          this.connection.console.error(`indexing ${top} failed: ${error instanceof Error ? error.message : String(error)}`);
          finished.add(stack.pop()!);
        }
      }
      if (this.timing.now() - slice.start > this.timing.sliceMs) {
        await yieldToMessages();
        if (stale()) return false;
        slice.start = this.timing.now();
      }
    }
    return true;
  }

  cancel(): void {
    this.generation++;
  }

  private result(files: number, started: number, cancelled: boolean): IndexingResult {
    return { files, modules: this.index.moduleCount, milliseconds: Date.now() - started, cancelled };
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

