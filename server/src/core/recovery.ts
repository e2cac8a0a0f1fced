/**
 * Keeps a syntax error from blinding the analysis of the rest of the file.
 * Tree-sitter recovers well from most errors, but an unclosed bracket or a
 * broken `def` line can swallow everything after it. When a tree has errors,
 * the file is cut into top-level chunks (at column-0 `def`, `class`,
 * decorators and imports); each chunk that does not parse on its own is
 * blanked out (same length, newlines kept, so every position stays valid),
 * and the repaired text is analyzed as a whole, with all its imports and
 * definitions in view.
 */
import { Edit, type Tree } from 'web-tree-sitter';
import type { PythonParser } from './parser';

const CHUNK_START = /^(?:async[ \t]+def|def|class|@|import|from)\b/;

/** A chunk blanked out: its offsets and where it ends (it starts at column 0 of `startRow`). */
export interface BlankedChunk {
  start: number;
  end: number;
  startRow: number;
  endRow: number;
  endColumn: number;
}

export interface RepairedSource {
  text: string;
  /** In document order. The repaired text differs from the original only there, and has the same length. */
  blanked: BlankedChunk[];
}

/** The repaired text (undefined when no chunk is broken), yielding whenever `sliceMs` have passed (the language server keeps serving meanwhile). */
export function* repairedSourceInSlices(text: string, parser: PythonParser, sliceMs = 8): Generator<void, RepairedSource | undefined> {
  const lines = text.split(/(?<=\n)/);
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (CHUNK_START.test(lines[i]!)) starts.push(i);
  if (starts[0] !== 0) starts.unshift(0);
  const blanked: BlankedChunk[] = [];
  const pieces: string[] = [];
  let offset = 0;
  let sliceStart = performance.now();
  for (let c = 0; c < starts.length; c++) {
    const endLine = starts[c + 1] ?? lines.length;
    const chunk = lines.slice(starts[c], endLine).join('');
    const tree = parser.parse(chunk);
    const broken = tree.rootNode.hasError;
    tree.delete();
    if (broken) {
      // Ends after its line break, at the start of the next line; else at the end of the text.
      const last = lines[endLine - 1] ?? '';
      const closed = last.endsWith('\n');
      blanked.push({ start: offset, end: offset + chunk.length, startRow: starts[c]!, endRow: closed ? endLine : endLine - 1, endColumn: closed ? 0 : last.length });
      pieces.push(chunk.replace(/[^\r\n]/g, ' '));
    } else {
      pieces.push(chunk);
    }
    offset += chunk.length;
    if (performance.now() - sliceStart > sliceMs) {
      yield;
      sliceStart = performance.now();
    }
  }
  return blanked.length > 0 ? { text: pieces.join(''), blanked } : undefined;
}

/**
 * The tree of the repaired text, parsed incrementally from the original's tree (`tree` is left as
 * it is): only the blanked chunks are read again. A parse of a whole 10,000-line file from nothing
 * takes 60-80 ms, which the language server cannot slice.
 */
export function parseRepaired(parser: PythonParser, tree: Tree, repaired: RepairedSource): Tree {
  const edited = tree.copy();
  try {
    for (const chunk of repaired.blanked) {
      const end = { row: chunk.endRow, column: chunk.endColumn };
      edited.edit(new Edit({ startIndex: chunk.start, oldEndIndex: chunk.end, newEndIndex: chunk.end, startPosition: { row: chunk.startRow, column: 0 }, oldEndPosition: end, newEndPosition: end }));
    }
    return parser.parse(repaired.text, edited);
  } finally {
    edited.delete();
  }
}
