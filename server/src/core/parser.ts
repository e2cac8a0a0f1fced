/**
 * Loads web-tree-sitter and the pinned Python grammar. The wasm locations are
 * injected so the same code works from the esbuild bundle (files next to it)
 * and from the sources under test (grammars/ and node_modules).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

export interface ParserLocation {
  /** Folder holding tree-sitter-python.wasm. */
  grammarDir: string;
  /** Folder holding web-tree-sitter.wasm; web-tree-sitter finds its own when omitted. */
  runtimeDir?: string;
}

export interface PythonParser {
  /** Parses `text`; pass the previous tree (already `edit`ed) for an incremental reparse. */
  parse(text: string, previous?: Tree): Tree;
}

/** Parsing stops after this long, so a pathological input cannot hang the editor. */
const PARSE_TIMEOUT_MS = 10_000;

let runtimeReady: Promise<void> | undefined;

function initRuntime(runtimeDir: string | undefined): Promise<void> {
  runtimeReady ??= Parser.init(
    runtimeDir ? { locateFile: (file: string) => path.join(runtimeDir, file) } : undefined,
  );
  return runtimeReady;
}

export class ParseTimeoutError extends Error {
  constructor() {
    super(`parsing took longer than ${PARSE_TIMEOUT_MS / 1000} s and was stopped`);
  }
}

export async function createPythonParser(location: ParserLocation): Promise<PythonParser> {
  await initRuntime(location.runtimeDir);
  const wasm = fs.readFileSync(path.join(location.grammarDir, 'tree-sitter-python.wasm'));
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(text, previous) {
      const deadline = Date.now() + PARSE_TIMEOUT_MS;
      const tree = parser.parse(text, previous ?? null, {
        progressCallback: () => Date.now() > deadline,
      });
      if (!tree) {
        parser.reset();
        throw new ParseTimeoutError();
      }
      return tree;
    },
  };
}
