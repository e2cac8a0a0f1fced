/** The engine as tests use it: the grammar from grammars/, the runtime wasm from node_modules. */
import * as path from 'node:path';
import { Engine } from '../../server/src/core/engine';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
let engine: Promise<Engine> | undefined;

export function testEngine(): Promise<Engine> {
  engine ??= Engine.create({ grammarDir: path.join(REPO_ROOT, 'grammars') });
  return engine;
}
