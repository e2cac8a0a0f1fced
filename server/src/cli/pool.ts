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

/** Files sent to a worker ahead of its answers. */
const FILES_IN_FLIGHT = 2;

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
      // A young generation of 64 MB (twice the default here): the analysis makes many short-lived
      // objects, and with two workers on two cores, collecting them took a tenth of each worker's
      // time; this halves it for about 40 MB more memory per worker.
      const worker = new Worker(workerScript, { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      // Sent and not answered yet, oldest first: a worker has its next file while it checks one, so
      // it never waits for the main thread between files.
      const inFlight: Task[] = [];
      let finishing = false;
      const send = (request: WorkerRequest) => worker.postMessage(request);
      const dispatch = (): void => {
        while (inFlight.length < FILES_IN_FLIGHT) {
          const task = queue.take(slot);
          if (!task) break;
          inFlight.push(task);
          send({ kind: 'check', ...task });
        }
        if (inFlight.length === 0 && !finishing) {
          finishing = true;
          send({ kind: 'finish' });
        }
      };
      const answered = (index: number, outcome: FileOutcome | { failed: string }) => {
        const at = inFlight.findIndex((task) => task.index === index);
        if (at >= 0) inFlight.splice(at, 1);
        onOutcome(index, outcome);
        dispatch();
      };
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.kind) {
          case 'ready':
            dispatch();
            break;
          case 'checked':
            answered(reply.index, reply.outcome);
            break;
          case 'failed':
            answered(reply.index, { failed: reply.message });
            break;
          case 'finished':
            void worker.terminate().then(() => resolve());
            break;
        }
      });
      // A worker that dies takes only the file it was checking with it: the one waiting behind it
      // goes back to the queue for the others. Which file that was is told once the worker has
      // exited: its answers posted before the crash may arrive after the 'error' event (they travel
      // on another channel), and Node delivers them all before 'exit'.
      let crash: Error | undefined;
      worker.on('error', (error) => {
        crash = error;
      });
      worker.on('exit', () => {
        const [current, ...waiting] = inFlight.splice(0);
        if (current) onOutcome(current.index, { failed: `the worker checking it crashed: ${crash?.message ?? 'it stopped'}` });
        for (const task of waiting) queue.giveBack(task);
        resolve();
      });
    });
  await Promise.all(Array.from({ length: count }, (_, slot) => runOne(slot)));
  // Every worker may have died: what nobody took is reported, not silently dropped.
  for (const task of queue.remaining()) onOutcome(task.index, { failed: 'no worker was left to check it' });
}
