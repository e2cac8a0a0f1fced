/**
 * Edits in a row, as while typing: each inserts one character inside a function body, is re-parsed
 * incrementally and analyzed from the last analysis's state (as the language server does until a
 * pause settles it), and is compared with a full analysis of the text so far. Used by
 * test/incremental.test.ts and scripts/check-incremental.ts.
 */
import { Edit } from 'web-tree-sitter';
import { analyzeTree } from '../../server/src/core/analyze';
import type { Engine } from '../../server/src/core/engine';
import { keptRootOf } from '../../server/src/core/kept-root';
import { analyzeIncrementally, analyzeWhileTyping, chunkedFindings, typingModelOf, type EditedFunctionResult, type FunctionSpan, type IncrementalResult, type TextChange, type TypingModel } from '../../server/src/core/incremental';
import type { Finding } from '../../server/src/core/types';

export interface ChainedEdit {
  /** 1-based position in the chain. */
  index: number;
  /** Empty for a character erased. */
  inserted: string;
  change: TextChange;
  /** Undefined when nothing could be reused (the server then runs a full analysis). */
  incremental?: Finding[];
  /** The edited function was parsed alone, the tree of the whole file left stale (as the server does while typing stays in function bodies). */
  alone: boolean;
  /** Parsed alone, and analyzed on the model of the edit before, carried over (see `TypingModel`). */
  carriedOver: boolean;
  /** Only a comment or a docstring outside functions was edited: the findings moved, nothing analyzed (see `keptForTextOnlyEdit`). */
  textOnly: boolean;
  /** Code outside functions that does not parse alone (or parses as last analyzed again): the findings moved, nothing analyzed (see `analyzeModuleLevelEdit`). */
  moduleLevel: boolean;
  /** The edited text has a syntax error: parsed alone, a function can then differ from the whole file's parse of it. */
  syntaxError: boolean;
  full: Finding[];
  /**
   * Whether a finding of either result (`incremental` or `full`) comes from code the incremental
   * analysis analyzed afresh: a difference there is an error, elsewhere it is staleness.
   */
  afresh(f: Finding): boolean;
}

/** The change that inserts `inserted` at offset `at` of `text`. */
export function insertion(text: string, at: number, inserted: string): TextChange {
  const before = text.slice(0, at);
  const row = (before.match(/\n/g) ?? []).length;
  const column = at - (before.lastIndexOf('\n') + 1);
  const lines = inserted.split('\n');
  const newEnd = lines.length === 1 ? { row, column: column + inserted.length } : { row: row + lines.length - 1, column: lines[lines.length - 1]!.length };
  return { startIndex: at, oldEndIndex: at, newEndIndex: at + inserted.length, startPosition: { row, column }, oldEndPosition: { row, column }, newEndPosition: newEnd, whitespaceOnly: /^\s*$/.test(inserted) };
}

/** The change that deletes `length` characters of one line of `text` at offset `at`. */
export function deletion(text: string, at: number, length: number): TextChange {
  const { startPosition } = insertion(text, at, '');
  return {
    startIndex: at,
    oldEndIndex: at + length,
    newEndIndex: at,
    startPosition,
    oldEndPosition: { row: startPosition.row, column: startPosition.column + length },
    newEndPosition: startPosition,
    whitespaceOnly: /^\s*$/.test(text.slice(at, at + length)),
  };
}

/** In an alphabet of `editChain`: erase a character. */
export const ERASE = '\b';

/** A chunk's offsets, kept after its tree is gone. */
const spansOf = (chunks: ReadonlyArray<{ start: number; end: number; bodyStart: number }>) => chunks.map(({ start, end, bodyStart }) => ({ start, end, bodyStart }));

/** The spans after `change` (an insertion: offsets at or after it move; a deletion: offsets after it). */
function movedSpans(chunks: ReadonlyArray<{ start: number; end: number; bodyStart: number }>, change: TextChange): Array<{ start: number; end: number; bodyStart: number }> {
  const delta = change.newEndIndex - change.oldEndIndex;
  const move = (offset: number) => (delta >= 0 ? (offset < change.startIndex ? offset : offset + delta) : offset <= change.startIndex ? offset : Math.max(change.startIndex, offset + delta));
  return chunks.map(({ start, end, bodyStart }) => ({ start: move(start), end: move(end), bodyStart: move(bodyStart) }));
}

/**
 * Runs `length` chained edits on `original`; `random` picks the places and the characters to type
 * (`alphabet`, where `ERASE` erases the character at the place instead). With
 * `outside`, every other edit goes somewhere outside function bodies (a docstring, an import, a
 * class attribute, a blank line between functions). With `alone`, edits inside function bodies
 * parse the edited function alone when they can (`analyzeEditedFunction`), as the language server does.
 */
export function* editChain(engine: Engine, original: string, length: number, random: () => number, alphabet = 'x_( \n:', outside = false, alone = false): Generator<ChainedEdit> {
  let text = original;
  let tree = engine.parse(text);
  let analysis = analyzeTree(tree, text);
  let state = chunkedFindings(analysis, analysis.chunks ?? []);
  let chunks = spansOf(analysis.chunks ?? []);
  let edited: FunctionSpan | undefined;
  // The model carried from one edit to the next while they stay in one function, as the server does.
  let typing: TypingModel | undefined;
  let chunkIndex = -1;
  try {
    for (let index = 1; index <= length && chunks.length > 0; index++) {
      // Mostly the function edited last, as when typing; sometimes another one.
      if (chunkIndex < 0 || chunkIndex >= chunks.length || random() < 0.3) chunkIndex = Math.floor(random() * chunks.length);
      const chunk = chunks[chunkIndex]!;
      const inBody = (offset: number) => chunks.some((c) => c.bodyStart < offset && offset <= c.end);
      let at = chunk.bodyStart + 1 + Math.floor(random() * Math.max(1, chunk.end - chunk.bodyStart - 1));
      if (outside && index % 2 === 0) {
        // Somewhere outside every body.
        for (let tries = 0; tries < 20; tries++) {
          const candidate = Math.floor(random() * (text.length + 1));
          if (!inBody(candidate)) {
            at = candidate;
            break;
          }
        }
      }
      const picked = alphabet[Math.floor(random() * alphabet.length)]!;
      // `\b` in the alphabet erases the character there instead (not a line break), as backspace does.
      const erase = picked === ERASE && at < text.length && text[at] !== '\n';
      const inserted = erase ? '' : picked === ERASE ? 'x' : picked;
      const change = erase ? deletion(text, at, 1) : insertion(text, at, inserted);
      const editedText = text.slice(0, at) + inserted + text.slice(erase ? at + 1 : at);
      tree.edit(new Edit(change));
      const fresh = engine.parse(editedText);
      const full = analyzeTree(fresh, editedText);
      const syntaxError = fresh.rootNode.hasError;
      fresh.delete();
      let parsedAlone: EditedFunctionResult | undefined;
      let textOnly: IncrementalResult | undefined;
      let moduleLevel: IncrementalResult | undefined;
      if (alone) {
        const step = analyzeWhileTyping(engine, tree, editedText, text, {}, undefined, state, [change], edited, typing);
        typing = step.alone?.typing ?? step.typing;
        if (!step.tree) throw new Error('a parse timed out');
        tree = step.tree;
        edited = step.edited;
        parsedAlone = step.alone;
        textOnly = step.textOnly;
        moduleLevel = step.moduleLevel;
      }
      let incremental: IncrementalResult | undefined;
      if (textOnly || moduleLevel) {
        // A comment or a docstring outside functions, or code there that does not parse: the findings moved, the tree left stale.
        incremental = textOnly ?? moduleLevel;
        state = incremental!.state;
        chunks = movedSpans(chunks, change);
      } else if (parsedAlone) {
        incremental = parsedAlone.result;
        state = incremental.state;
        // Nothing analyzed afresh (the function does not parse yet): the spans as they were, moved.
        chunks = incremental.model ? spansOf(incremental.model.chunks) : movedSpans(chunks, change);
        edited = parsedAlone.edited;
        parsedAlone.dispose();
      } else {
        const next = engine.parse(editedText, tree);
        incremental = analyzeIncrementally(next, editedText, {}, undefined, state, [change], tree.getChangedRanges(next), undefined, keptRootOf(next, []) ?? next.rootNode);
        if (incremental) {
          state = incremental.state;
          chunks = spansOf(incremental.model!.chunks);
        } else {
          analysis = analyzeTree(next, editedText);
          state = chunkedFindings(analysis, analysis.chunks ?? []);
          chunks = spansOf(analysis.chunks ?? []);
        }
        // The whole file re-parsed: the stale tree, and any model built on it, go; the new model is carried over.
        typing?.dispose();
        typing = alone && incremental ? typingModelOf(incremental, next, editedText) : undefined;
        tree.delete();
        tree = next;
        edited = undefined;
      }
      text = editedText;
      const afresh = (f: Finding) => {
        if (!incremental) return false;
        if (incremental.origins?.has(f) || incremental.outsideAt?.has(f)) return true;
        const within = (spans: ReadonlyArray<{ start: number; end: number }>, offset: number | undefined) => offset !== undefined && spans.some((span) => span.start <= offset && offset < span.end);
        return within(incremental.fresh.chunks, full.origins?.get(f)?.start) || within(incremental.fresh.statements, full.outsideAt?.get(f));
      };
      yield { index, inserted, change, incremental: incremental?.findings, alone: !!parsedAlone, carriedOver: !!parsedAlone?.reusedModel, textOnly: !!textOnly, moduleLevel: !!moduleLevel, syntaxError, full: full.findings, afresh };
    }
  } finally {
    typing?.dispose();
    tree.delete();
  }
}
