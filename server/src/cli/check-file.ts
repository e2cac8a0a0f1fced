/**
 * Checks one file for the CLI: the size and encoding guards, `--fix`/`--diff`, and the analysis,
 * with the options the main thread planned for it (cli/plan.ts). The same code runs in the main
 * thread and in each worker thread, so results do not depend on how many workers there are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { decodeSource, type Engine } from '../core/engine';
import type { AnalyzeOptions } from '../core/types';
import type { WorkspaceIndex } from '../workspace/index';
import { DependencyTracker, type Dependencies } from './dependencies';
import type { FileReport } from './report';

/** Plain data (it crosses to worker threads). */
export interface CheckSettings {
  maxBytes: number;
  timeLimitSeconds: number;
  mode: 'check' | 'fix' | 'diff';
  /** Do not follow imports. */
  noImports: boolean;
  /** Folders named on the command line: roots for imports. */
  roots: string[];
  cwd: string;
  /** Say which other files each result depended on (for the result cache). */
  trackDependencies: boolean;
}

export interface FileOutcome {
  /** Undefined when the configuration excludes the file, and with --diff once the file could be read. */
  report?: FileReport;
  diff?: string;
  /** Problems fixed (with --fix) or fixable (with --diff). */
  fixed: number;
  /** Lines for stderr, in order, each shown after the file's path and ": ". */
  notes: string[];
  /** Rules that threw on this file. */
  internalErrors: Array<{ code: string; message: string }>;
  dependencies?: Dependencies;
  /** The result may not repeat on the same input (a read error, a crash): it is not cached. */
  unstable?: boolean;
}

export class FileChecker {
  private readonly index: WorkspaceIndex | undefined;
  private readonly tracker: DependencyTracker | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly settings: CheckSettings,
  ) {
    this.index = settings.noImports ? undefined : engine.createWorkspaceIndex({ maxFileBytes: settings.maxBytes, lazyDetails: true });
    for (const root of settings.roots) this.index?.addRoot(root);
    if (this.index && settings.trackDependencies) this.index.listener = this.tracker = new DependencyTracker();
  }

  check(file: string, options: AnalyzeOptions): FileOutcome {
    this.tracker?.begin();
    const outcome = this.checkFile(file, options);
    if (this.tracker) outcome.dependencies = this.tracker.end();
    return outcome;
  }

  private checkFile(file: string, options: AnalyzeOptions): FileOutcome {
    const { settings, engine, index } = this;
    const shown = displayPath(file, settings.cwd);
    const outcome: FileOutcome = { fixed: 0, notes: [], internalErrors: [] };
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      outcome.report = { path: shown, file, skipped: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, findings: [] };
      outcome.unstable = true;
      return outcome;
    }
    const decoded = decodeSource(bytes, settings.maxBytes);
    if (!decoded.ok) {
      outcome.report = { path: shown, file, skipped: decoded.reason, findings: [] };
      return outcome;
    }
    let text = decoded.text;
    if (settings.mode !== 'check') {
      const fixed = engine.fixAll(text, options, undefined, index?.linkFor(file));
      if (fixed.syntaxError) outcome.notes.push('not fixed: it has a syntax error (fix it first; the findings are still reported)');
      outcome.fixed = fixed.fixed;
      if (settings.mode === 'diff') {
        if (fixed.fixed > 0) outcome.diff = createTwoFilesPatch(`a/${shown}`, `b/${shown}`, text, fixed.text, '', '', { context: 3 });
        return outcome;
      }
      if (fixed.fixed > 0) {
        const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? '\ufeff' : '';
        fs.writeFileSync(file, bom + fixed.text);
        index?.invalidate(file);
        text = fixed.text;
      }
    }
    try {
      const result = engine.analyzeFile(text, options, index?.linkFor(file));
      for (const e of result.ruleErrors) {
        outcome.internalErrors.push({ code: e.code, message: String(e.error) });
        outcome.notes.push(`internal error in ${e.code}: ${String(e.error)}`);
      }
      if (result.timedOut) {
        outcome.notes.push(`the analysis stopped after ${settings.timeLimitSeconds} s (--time-limit); findings further down may be missing`);
      }
      outcome.report = { path: shown, file, findings: result.findings };
    } catch (error) {
      outcome.report = { path: shown, file, skipped: `could not be analyzed: ${error instanceof Error ? error.message : String(error)}`, findings: [] };
      outcome.unstable = true;
    }
    return outcome;
  }
}

/** Relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
