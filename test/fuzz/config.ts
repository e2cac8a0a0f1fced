/**
 * How much fuzzing a run does. CI keeps the defaults small so `npm test` stays quick; a longer
 * local run raises them with FUZZ_RUNS (every property scales from it) and replays a failure
 * with FUZZ_SEED (and FUZZ_PATH, both printed by fast-check when a property fails).
 */
import type { Parameters } from 'fast-check';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Edit sequences sent to the server (each of EDITS_PER_SEQUENCE edits). */
export const FUZZ_RUNS = envInt('FUZZ_RUNS') ?? 40;
export const EDITS_PER_SEQUENCE = envInt('FUZZ_EDITS') ?? 30;
/** Engine-level properties are cheap (a parse and an analysis), so they run more cases. */
export const ENGINE_RUNS = FUZZ_RUNS * 5;

/**
 * fast-check parameters shared by every property: the run count, a seed to replay, and a time
 * budget. Shrinking a failure found through the server can take minutes; past the budget
 * fast-check stops and reports the smallest counterexample so far instead of mocha timing out.
 */
export function fcParams<T>(numRuns: number, budgetMs?: number): Parameters<T> {
  // Seeds are any 32-bit integer, negative ones included (fast-check prints them that way).
  const rawSeed = process.env.FUZZ_SEED;
  const seed = rawSeed ? Number.parseInt(rawSeed, 10) : undefined;
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(rawSeed)}`);
  const path = process.env.FUZZ_PATH;
  return {
    numRuns,
    ...(seed !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
    ...(budgetMs !== undefined ? { interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: true } : {}),
    verbose: 1,
  };
}

/** A mocha timeout that grows with the run count (roughly 1 s per sequence plus slack). */
export function timeoutFor(runs: number, perRunMs: number): number {
  return 60_000 + runs * perRunMs;
}
