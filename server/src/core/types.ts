/**
 * Plain data types shared by the analysis core, the CLI and the language server.
 * Positions are 0-based lines and UTF-16 code-unit columns, which is what both
 * web-tree-sitter (for JS string input) and LSP's default position encoding use.
 */

import type { Fix } from './fix';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

export type Category =
  | 'blocking-call'
  | 'missing-await'
  | 'cpu-bound-thread'
  | 'unhandled-task-error'
  | 'event-loop-misuse'
  | 'cancellation'
  | 'structured-concurrency'
  | 'threads-processes';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedInformation {
  range: Range;
  message: string;
  /** Another file (a `file://` URI) when the location is not in the analyzed file. */
  uri?: string;
}

export interface Finding {
  code: string;
  name: string;
  category: Category;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedInformation[];
  /** Ways to fix it, best first; the first safe one is the preferred quick fix. */
  fixes: Fix[];
}

export interface AnalyzeOptions {
  /** Code prefixes to run (`AIO1`, `AIO201`); all rules when absent or empty. */
  select?: readonly string[];
  /** Code prefixes to run in addition to `select` (and opt-in rules named by full code). */
  extendSelect?: readonly string[];
  /** Code prefixes never to run; wins over `select`. */
  ignore?: readonly string[];
  /** Per-code severity override; `off` disables the rule. */
  severity?: Readonly<Record<string, SeveritySetting>>;
  /** The oldest Python the checked code must run on, as [major, minor]; see DEFAULT_TARGET_VERSION. */
  targetVersion?: readonly [number, number];
  /** Stop analyzing a file after this long (milliseconds); the result says it timed out. */
  timeLimitMs?: number;
  /** Extra blocking calls from the configuration: qualified name or pattern -> suggested replacement. */
  extraBlockingCalls?: Readonly<Record<string, string>>;
}

/** The oldest CPython still supported upstream (3.9 reached end of life in October 2025). */
export const DEFAULT_TARGET_VERSION: readonly [number, number] = [3, 10];
