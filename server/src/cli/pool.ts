/**
 * Spreads the files of a CLI run over worker threads, one per core: each worker loads the grammar
 * once and asks for the next file when it is done with one, so a few large files do not hold up
 * the rest. Outcomes come back in completion order; the caller puts them back in file order.
 */
import { Worker } from 'node:worker_threads';
import type { ConfigError } from '../config/pyproject';
import type { CheckSettings, FileOutcome } from './check-file';
import type { WorkerReply, WorkerRequest } from './worker';

export async function checkInWorkers(
  workerScript: string,
  workers: number,
  settings: CheckSettings,
  files: readonly string[],
  onOutcome: (index: number, outcome: FileOutcome | { failed: string }) => void,
): Promise<ConfigError[]> {
  let next = 0;
  const configErrors: ConfigError[] = [];
  const runOne = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = new Worker(workerScript, { workerData: settings });
      let current: number | undefined;
      const send = (request: WorkerRequest) => worker.postMessage(request);
      const dispatch = (): void => {
        if (next < files.length) {
          current = next++;
          send({ kind: 'check', index: current, file: files[current]! });
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
            configErrors.push(...reply.configErrors);
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
  await Promise.all(Array.from({ length: Math.max(1, workers) }, runOne));
  // Every worker may have died: what nobody took is reported, not silently dropped.
  for (; next < files.length; next++) onOutcome(next, { failed: 'no worker was left to check it' });
  return dedupe(configErrors);
}

/** Each worker reads the same pyproject.toml files: report each mistake once. */
function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.file}:${e.line}:${e.column}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
