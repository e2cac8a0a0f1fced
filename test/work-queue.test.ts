import * as assert from 'node:assert/strict';
import { WorkQueue } from '../server/src/cli/work-queue';

describe('CLI work queue', () => {
  it('gives each worker a contiguous stretch of the files, then lets it take from the back of the fullest', () => {
    const queue = new WorkQueue([...Array(10).keys()], 2);
    assert.deepEqual([queue.take(0), queue.take(0), queue.take(1)], [0, 1, 5]);
    // Worker 0 is fast: after its own stretch it takes from the end of worker 1's.
    assert.deepEqual([queue.take(0), queue.take(0), queue.take(0), queue.take(0)], [2, 3, 4, 9]);
    assert.deepEqual(queue.remaining(), [6, 7, 8]);
    assert.deepEqual([queue.take(1), queue.take(0), queue.take(1), queue.take(1), queue.take(0)], [6, 8, 7, undefined, undefined]);
  });

  it('hands every item out exactly once, whatever the order the workers ask in', () => {
    for (const [items, workers] of [[0, 2], [1, 4], [7, 3], [100, 2], [33, 8]] as const) {
      const queue = new WorkQueue([...Array(items).keys()], workers);
      const taken: number[] = [];
      let seed = items * 31 + workers;
      for (;;) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const next = queue.take(seed % workers);
        if (next === undefined) {
          // One worker finding nothing means nothing is left for any.
          assert.ok([...Array(workers).keys()].every((w) => queue.take(w) === undefined));
          break;
        }
        taken.push(next);
      }
      assert.deepEqual([...taken].sort((a, b) => a - b), [...Array(items).keys()], `${items} items, ${workers} workers`);
    }
  });
});
