import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckSettings } from '../server/src/cli/check-file';
import { checkInWorkers } from '../server/src/cli/pool';
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

  it('hands an item given back to the next worker that asks, and counts it as remaining until then', () => {
    const queue = new WorkQueue([...Array(4).keys()], 2);
    assert.deepEqual([queue.take(0), queue.take(0)], [0, 1]);
    queue.giveBack(1);
    assert.deepEqual(queue.remaining(), [1, 2, 3]);
    assert.deepEqual([queue.take(1), queue.take(1), queue.take(1), queue.take(0)], [1, 2, 3, undefined]);
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

describe('CLI worker pool', () => {
  /** A stand-in worker: answers at once, takes 30 ms for a file named `slow`, dies on `crash`. */
  const FAKE_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (request) => {
  if (request.kind === 'finish') return parentPort.postMessage({ kind: 'finished' });
  if (request.file === 'crash') throw new Error('boom');
  if (request.file.startsWith('slow')) { const until = Date.now() + 30; while (Date.now() < until); }
  parentPort.postMessage({ kind: 'checked', index: request.index, outcome: { fixed: 0, notes: [request.file], internalErrors: [] } });
});
parentPort.postMessage({ kind: 'ready' });
`;

  it('keeps the answer a worker posted just before crashing, and fails the file it would have checked next', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ap-pool-'));
    try {
      const script = path.join(dir, 'worker.js');
      // Answers `b`, then dies at once: its answer and its error reach the main thread on different
      // channels, in either order (once seen in a full run: `b` failed as the crashed file, then answered).
      fs.writeFileSync(script, FAKE_WORKER.replace("if (request.file === 'crash')", "if (request.file === 'b') { parentPort.postMessage({ kind: 'checked', index: request.index, outcome: { fixed: 0, notes: ['b'], internalErrors: [] } }); throw new Error('boom'); }\n  if (request.file === 'crash')"));
      const files = ['a', 'b', 'c', 'd'];
      for (let round = 0; round < 10; round++) {
        const outcomes = new Map<number, string>();
        await checkInWorkers(script, 1, {} as CheckSettings, files.map((file, index) => ({ index, file, options: {} })), (index, outcome) => {
          assert.ok(!outcomes.has(index), `${files[index]} answered twice`);
          outcomes.set(index, 'failed' in outcome ? outcome.failed : outcome.notes.join());
        });
        // `b` was answered; the crash is put on the file sent after it, which the worker would have checked next.
        assert.deepEqual(files.map((_, i) => outcomes.get(i)), ['a', 'b', 'the worker checking it crashed: boom', 'no worker was left to check it']);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks every file once with two files in flight per worker; a crash fails only the file being checked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ap-pool-'));
    try {
      const script = path.join(dir, 'worker.js');
      fs.writeFileSync(script, FAKE_WORKER);
      const files = ['a', 'b', 'crash', 'd', 'e', 'f', 'slow1', 'slow2', 'slow3', 'slow4', 'slow5', 'slow6'];
      const outcomes = new Map<number, string>();
      await checkInWorkers(script, 2, {} as CheckSettings, files.map((file, index) => ({ index, file, options: {} })), (index, outcome) => {
        assert.ok(!outcomes.has(index), `${files[index]} answered twice`);
        outcomes.set(index, 'failed' in outcome ? outcome.failed : outcome.notes.join());
      });
      assert.deepEqual(
        files.map((_, i) => outcomes.get(i)),
        files.map((file) => (file === 'crash' ? 'the worker checking it crashed: boom' : file)),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
