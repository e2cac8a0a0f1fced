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
import type { PythonParser } from './parser';

const CHUNK_START = /^(?:async[ \t]+def|def|class|@|import|from)\b/;

/** The repaired text (undefined when no chunk is broken), yielding whenever `sliceMs` have passed (the language server keeps serving meanwhile). */
export function* repairedSourceInSlices(text: string, parser: PythonParser, sliceMs = 8): Generator<void, string | undefined> {
  const lines = text.split(/(?<=\n)/);
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (CHUNK_START.test(lines[i]!)) starts.push(i);
  if (starts[0] !== 0) starts.unshift(0);
  let changed = false;
  const pieces: string[] = [];
  let sliceStart = performance.now();
  for (let c = 0; c < starts.length; c++) {
    const chunk = lines.slice(starts[c], starts[c + 1] ?? lines.length).join('');
    const tree = parser.parse(chunk);
    const broken = tree.rootNode.hasError;
    tree.delete();
    if (broken) {
      changed = true;
      pieces.push(chunk.replace(/[^\r\n]/g, ' '));
    } else {
      pieces.push(chunk);
    }
    if (performance.now() - sliceStart > sliceMs) {
      yield;
      sliceStart = performance.now();
    }
  }
  return changed ? pieces.join('') : undefined;
}
