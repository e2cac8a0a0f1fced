/**
 * A CLI worker thread: loads the grammar once, then checks the files the main thread sends, one
 * message per file, with the options the main thread planned for each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parserLocation } from '../assets';
import { Engine } from '../core/engine';
import type { AnalyzeOptions } from '../core/types';
import { FileChecker, type CheckSettings, type FileOutcome } from './check-file';

export type WorkerRequest = { kind: 'check'; index: number; file: string; options: AnalyzeOptions } | { kind: 'finish' };
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'checked'; index: number; outcome: FileOutcome }
  | { kind: 'failed'; index: number; message: string }
  | { kind: 'finished' };

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const checker = new FileChecker(await Engine.create(parserLocation()), workerData as CheckSettings);
  port.on('message', (request: WorkerRequest) => {
    if (request.kind === 'finish') {
      port.postMessage({ kind: 'finished' } satisfies WorkerReply);
      return;
    }
    try {
      port.postMessage({ kind: 'checked', index: request.index, outcome: checker.check(request.file, request.options) } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ kind: 'failed', index: request.index, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void serve();
