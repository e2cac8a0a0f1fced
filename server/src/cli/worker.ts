/**
 * A CLI worker thread: loads the grammar once, then checks the files the main thread sends, one
 * message per file, and reports the configuration mistakes it met when told to finish.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parserLocation } from '../assets';
import { Engine } from '../core/engine';
import { FileChecker, type CheckSettings } from './check-file';

export type WorkerRequest = { kind: 'check'; index: number; file: string } | { kind: 'finish' };
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'checked'; index: number; outcome: ReturnType<FileChecker['check']> }
  | { kind: 'failed'; index: number; message: string }
  | { kind: 'finished'; configErrors: ReturnType<FileChecker['configErrors']> };

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const checker = new FileChecker(await Engine.create(parserLocation()), workerData as CheckSettings);
  port.on('message', (request: WorkerRequest) => {
    if (request.kind === 'finish') {
      port.postMessage({ kind: 'finished', configErrors: checker.configErrors() } satisfies WorkerReply);
      return;
    }
    try {
      port.postMessage({ kind: 'checked', index: request.index, outcome: checker.check(request.file) } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ kind: 'failed', index: request.index, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void serve();
