/**
 * Checks one file for the CLI: its configuration, the size and encoding guards, `--fix`/`--diff`,
 * and the analysis. The same code runs in the main thread and in each worker thread, so results do
 * not depend on how many workers there are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { ConfigError } from '../config/pyproject';
import { ConfigResolver, isExcluded, optionsForFile } from '../config/resolve';
import { decodeSource, type Engine } from '../core/engine';
import type { AnalyzeOptions } from '../core/types';
import type { WorkspaceIndex } from '../workspace/index';
import type { FileReport, InternalError } from './report';

/** Plain data (it crosses to worker threads). */
export interface CheckSettings {
  runOptions: AnalyzeOptions;
  maxBytes: number;
  timeLimitSeconds: number;
  mode: 'check' | 'fix' | 'diff';
  /** Ignore configuration files. */
  isolated: boolean;
  /** Do not follow imports. */
  noImports: boolean;
  /** Folders named on the command line: roots for imports. */
  roots: string[];
  /** Files named on the command line: checked even when the configuration excludes them. */
  explicitFiles: string[];
  cwd: string;
}

export interface FileOutcome {
  /** Undefined when the configuration excludes the file. */
  report?: FileReport;
  diff?: string;
  /** Problems fixed (with --fix) or fixable (with --diff). */
  fixed: number;
  /** Lines for stderr, in order. */
  messages: string[];
  internalErrors: InternalError[];
}

export class FileChecker {
  private readonly index: WorkspaceIndex | undefined;
  private readonly configs = new ConfigResolver();
  private readonly explicit: Set<string>;

  constructor(
    private readonly engine: Engine,
    private readonly settings: CheckSettings,
  ) {
    this.index = settings.noImports ? undefined : engine.createWorkspaceIndex({ maxFileBytes: settings.maxBytes });
    for (const root of settings.roots) this.index?.addRoot(root);
    this.explicit = new Set(settings.explicitFiles);
  }

  /** Every configuration file read so far, with its mistakes. */
  configErrors(): ConfigError[] {
    return this.configs.configFiles().flatMap((c) => c.errors);
  }

  check(file: string): FileOutcome {
    const { settings, engine, index } = this;
    const config = settings.isolated ? { errors: [] } : this.configs.resolve(file);
    if (!this.explicit.has(file) && isExcluded(config, file)) return { fixed: 0, messages: [], internalErrors: [] };
    const options = { ...optionsForFile(config, file, settings.runOptions), timeLimitMs: settings.timeLimitSeconds * 1000 };
    const shown = displayPath(file, settings.cwd);
    const outcome: FileOutcome = { fixed: 0, messages: [], internalErrors: [] };
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      outcome.report = { path: shown, file, skipped: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, findings: [] };
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
      if (fixed.syntaxError) outcome.messages.push(`${shown}: not fixed: it has a syntax error (fix it first; the findings are still reported)`);
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
      const result = engine.analyzeText(text, options, index?.linkFor(file));
      result.tree.delete();
      for (const e of result.ruleErrors) {
        outcome.internalErrors.push({ path: shown, file, code: e.code, message: String(e.error) });
        outcome.messages.push(`${shown}: internal error in ${e.code}: ${String(e.error)}`);
      }
      if (result.timedOut) {
        outcome.messages.push(`${shown}: the analysis stopped after ${settings.timeLimitSeconds} s (--time-limit); findings further down may be missing`);
      }
      outcome.report = { path: shown, file, findings: result.findings };
    } catch (error) {
      outcome.report = { path: shown, file, skipped: `could not be analyzed: ${error instanceof Error ? error.message : String(error)}`, findings: [] };
    }
    return outcome;
  }
}

/** Relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
