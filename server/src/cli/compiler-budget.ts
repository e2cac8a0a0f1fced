/**
 * The optimizing compiler's budget for a CLI run.
 *
 * A check of a project is short (seconds) and runs a lot of distinct code (the parser's bindings,
 * the pre-filter, the semantic model, 48 rules) in each worker thread, and each thread's V8 isolate
 * optimizes that code for itself. With V8's default inlining budget, TurboFan spent about 4.8 s of
 * background CPU per isolate on the corpus of docs/performance.md (about 500 functions, the largest
 * recompiled several times after deoptimizing), a quarter of the whole run's CPU with two workers.
 * Inlining less makes each compile much cheaper (1.9 s) at a small cost in the optimized code's
 * speed, which a run this short never earns back: 8 alternated runs, 10.5 -> 9.0 s median wall.
 *
 * V8 reads the setting when it compiles, so it holds for every isolate of the process, worker
 * threads included, once set before they start. The language server, which lives for hours, keeps
 * V8's defaults.
 */
import * as v8 from 'node:v8';

/** Bytecode, in bytes, TurboFan may inline into one function (V8's default: 920). */
export const CLI_INLINING_BUDGET = 120;

/** Setting it again (main() called twice in one process) changes nothing. */
export function limitInliningForShortRun(): void {
  v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${CLI_INLINING_BUDGET}`);
}
