/**
 * The order in which CLI workers take files. Files come sorted by path, so neighbours are mostly
 * modules of one package, which import one another: with imports followed, a worker that checks a
 * package reads and summarizes that package's modules once. Handing out files alternately would
 * make every worker read every package. So the list is cut into one contiguous stretch per
 * worker; each worker takes its own stretch from the front, and a worker whose stretch is done
 * takes from the back of the stretch with the most left (a few large files do not hold up the run).
 */
export class WorkQueue<T> {
  private readonly stretches: Array<{ next: number; end: number }>;

  constructor(
    private readonly items: readonly T[],
    workers: number,
  ) {
    const count = Math.max(1, Math.min(workers, items.length));
    this.stretches = Array.from({ length: count }, (_, i) => ({
      next: Math.floor((i * items.length) / count),
      end: Math.floor(((i + 1) * items.length) / count),
    }));
  }

  private readonly givenBack: T[] = [];

  /** The next item for `worker` (0-based), or undefined when every item was handed out. */
  take(worker: number): T | undefined {
    if (this.givenBack.length > 0) return this.givenBack.pop();
    const own = this.stretches[worker % this.stretches.length]!;
    if (own.next < own.end) return this.items[own.next++];
    let richest: { next: number; end: number } | undefined;
    for (const s of this.stretches) if (s.end - s.next > (richest ? richest.end - richest.next : 0)) richest = s;
    if (!richest) return undefined;
    return this.items[--richest.end];
  }

  /** An item handed out that was never worked on (its worker died first): the next `take` gets it. */
  giveBack(item: T): void {
    this.givenBack.push(item);
  }

  /** The items never handed out, or given back (for when every worker died). */
  remaining(): T[] {
    return [...this.givenBack, ...this.stretches.flatMap((s) => this.items.slice(s.next, s.end))];
  }
}
