/**
 * Offsets into document-ordered spans (functions, module-level statements, ranges to visit): one
 * binary search for the incremental analysis and the semantic model alike.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The index of the last span starting at or before `offset` (spans sorted by start), or -1. */
export function lastSpanStartingAt<T extends Span>(spans: readonly T[], offset: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The span (sorted, not overlapping) that holds `offset`, if any. */
export function spanHolding<T extends Span>(spans: readonly T[], offset: number): T | undefined {
  const found = spans[lastSpanStartingAt(spans, offset)];
  return found && offset < found.end ? found : undefined;
}

/** The index of the first of `sorted` at or after `offset` (`sorted.length` when none). */
export function firstAtOrAfter(sorted: readonly number[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
