/**
 * Loads web-tree-sitter and the pinned Python grammar. The wasm locations are
 * injected so the same code works from the esbuild bundle (files next to it)
 * and from the sources under test (grammars/ and node_modules).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Node, Parser, type Range, type Tree } from 'web-tree-sitter';
import { installFastNodes } from './fast-nodes';

export interface ParserLocation {
  /** Folder holding tree-sitter-python.wasm. */
  grammarDir: string;
  /** Folder holding web-tree-sitter.wasm; web-tree-sitter finds its own when omitted. */
  runtimeDir?: string;
}

export interface PythonParser {
  /**
   * Parses `text`; pass the previous tree (already `edit`ed) for an incremental reparse, or a range
   * to parse only that part of the text (nodes keep their positions in the whole text).
   */
  parse(text: string, previous?: Tree, range?: Range): Tree;
}

/**
 * Makes the nodes of `tree` read their text from `text`. web-tree-sitter reads a node's text through
 * the tree, from the text it was parsed from; a tree that was edited but not re-parsed since must read
 * the current text. False when this web-tree-sitter keeps the text elsewhere (then do not use such a tree).
 */
export function readTextFrom(tree: Tree, text: string): boolean {
  const internal = tree as unknown as { textCallback?: unknown };
  if (typeof internal.textCallback !== 'function') return false;
  internal.textCallback = (index: number) => text.slice(index);
  return true;
}

/** Parsing stops after this long, so a pathological input cannot hang the editor. */
const PARSE_TIMEOUT_MS = 10_000;

let runtimeReady: Promise<void> | undefined;

/**
 * Every `node.type` read is a call into wasm; the analysis reads each node's type many
 * times. A node's type never changes, so it is cached on the node object the first time.
 */
function cacheNodeTypes(): void {
  const proto = Node.prototype as unknown as Record<string, unknown>;
  if (proto.__typeCached) return;
  const original = Object.getOwnPropertyDescriptor(Node.prototype, 'type');
  const read = original?.get;
  if (!read) return;
  Object.defineProperty(Node.prototype, 'type', {
    configurable: true,
    get(this: Node & { __type?: string }) {
      return (this.__type ??= read.call(this) as string);
    },
  });
  proto.__typeCached = true;
}

function initRuntime(runtimeDir: string | undefined): Promise<void> {
  // Emscripten fills in the object it is given: afterwards it is the module, whose exports fast-nodes.ts calls.
  const module: Record<string, unknown> = runtimeDir ? { locateFile: (file: string) => path.join(runtimeDir, file) } : {};
  runtimeReady ??= Parser.init(module).then(() => {
    if (!installFastNodes(module)) cacheNodeTypes();
  });
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
    parse(text, previous, range) {
      const deadline = Date.now() + PARSE_TIMEOUT_MS;
      const tree = parser.parse(text, previous ?? null, {
        progressCallback: () => Date.now() > deadline,
        ...(range ? { includedRanges: [range] } : {}),
      });
      if (!tree) {
        parser.reset();
        throw new ParseTimeoutError();
      }
      return tree;
    },
  };
}
