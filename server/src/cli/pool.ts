/**
 * Spreads the files of a CLI run over worker threads, one per core: each worker loads the grammar
 * once and asks for the next file when it is done with one (in the order `WorkQueue` gives), so a
 * few large files do not hold up the rest. Outcomes come back in completion order; the caller puts
 * them back in file order.
 */
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions } from '../core/types';
import type { CheckSettings, FileOutcome } from './check-file';
import type { WorkerReply, WorkerRequest } from './worker';
import { WorkQueue } from './work-queue';

/** A file to check: `index` is its place in the run, handed back with its outcome. */
export interface Task {
  index: number;
  file: string;
  options: AnalyzeOptions;
}

export async function checkInWorkers(
  workerScript: string,
  workers: number,
  settings: CheckSettings,
  tasks: readonly Task[],
  onOutcome: (index: number, outcome: FileOutcome | { failed: string }) => void,
): Promise<void> {
  const count = Math.max(1, workers);
  const queue = new WorkQueue(tasks, count);
  const runOne = (slot: number): Promise<void> =>
    new Promise((resolve) => {
      const worker = new Worker(workerScript, { workerData: settings });
      let current: number | undefined;
      const send = (request: WorkerRequest) => worker.postMessage(request);
      const dispatch = (): void => {
        const task = queue.take(slot);
        if (task) {
          current = task.index;
          send({ kind: 'check', ...task });
        } else {
          current = undefined;
          send({ kind: 'finish' });
        }
      };
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.kind) {
          case 'ready':
            dispatch();
            break;
          case 'checked':
            onOutcome(reply.index, reply.outcome);
            dispatch();
            break;
          case 'failed':
            onOutcome(reply.index, { failed: reply.message });
            dispatch();
            break;
          case 'finished':
            void worker.terminate().then(() => resolve());
            break;
        }
      });
      // A worker that dies takes only its current file with it; the others carry on with the rest.
      worker.on('error', (error) => {
        if (current !== undefined) onOutcome(current, { failed: `the worker checking it crashed: ${error.message}` });
        current = undefined;
        resolve();
      });
    });
  await Promise.all(Array.from({ length: count }, (_, slot) => runOne(slot)));
  // Every worker may have died: what nobody took is reported, not silently dropped.
  for (const task of queue.remaining()) onOutcome(task.index, { failed: 'no worker was left to check it' });
}
