/**
 * Re-analysis after an edit that reuses what the edit did not touch. The file is cut into chunks
 * (functions defined at module level or in a class body). Every chunk an edit or the re-parse
 * touched is analyzed afresh on a model that builds only the bodies it needs; the findings of the
 * other chunks, and of the code outside functions unless an edit changed it, are carried over from
 * the last analysis, moved by the edits.
 *
 * Exact for every chunk analyzed afresh. A carried-over finding can be out of date when the edit
 * changed something its code reads (a helper that now blocks, an import), or when the re-parse
 * changed the syntax around more than `MAX_RESYNTAXED_CHUNKS` functions whose text did not change
 * (only the nearest are analyzed again); the language server runs a full analysis once typing
 * pauses, which settles that.
 *
 * While typing stays inside one function, the whole file is not even re-parsed: the function is
 * parsed alone and stands in for its stale copy (`analyzeEditedFunction`, `catchUpTree`).
 */
import { Edit, type Node, type Range as ParseRange, type Tree } from 'web-tree-sitter';
import { misindented } from './indentation';
import { keptRootOf } from './kept-root';
import { readTextFrom } from './parser';
import { RuleRunner, sortFindings, type AnalysisResult } from './analyze';
import { SemanticModel, type Chunk } from './semantic';
import { lastSpanStartingAt, type Span } from './spans';
import type { AnalyzeOptions, Finding, Position, Range } from './types';
import type { WorkspaceLink } from './workspace-types';

/** One text change, as given to `tree.edit` (offsets in UTF-16 code units, rows and columns too). */
export interface TextChange {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
  /** The change only added or removed whitespace: outside functions it changes no meaning if the syntax is unchanged. */
  whitespaceOnly?: boolean;
}

/** At most this many functions whose syntax, but not text, an edit changed are analyzed afresh per edit. */
export const MAX_RESYNTAXED_CHUNKS = 8;

/** More functions to analyze afresh than this, and a full analysis (in slices, in the server) is cheaper. */
export const MAX_FRESH_CHUNKS = 64;

/** Text to analyze afresh (functions, and the code outside them when dirty) above which, if it is most of the file, a full analysis is cheaper. */
export const MAX_FRESH_CHARS = 256 * 1024;

/** What an analysis leaves for the next one: its chunks and which findings each reported. */
export interface ChunkedFindings {
  chunks: Array<{ start: number; end: number; findings: Finding[] }>;
  /**
   * Findings reported from code outside every chunk, by the module-level statement that reported
   * them (only statements with findings). A statement's span runs to where the next one starts
   * (`Infinity` for the last one): it covers the functions inside it and the blank lines after it.
   */
  outside: StatementFindings[];
}

export interface StatementFindings {
  start: number;
  end: number;
  findings: Finding[];
}

export interface IncrementalResult extends AnalysisResult {
  state: ChunkedFindings;
  /** Chunks analyzed afresh and carried over, and bodies built to answer their queries. */
  analyzed: number;
  reused: number;
  built: number;
  /** What was analyzed afresh: the functions, and the module-level statements outside them. */
  fresh: { chunks: Array<{ start: number; end: number }>; statements: Array<{ start: number; end: number }> };
  /** Milliseconds spent building the model, walking the rules, and carrying findings over. */
  phases: { model: number; rules: number; carry: number };
  /** The model the analysis ran on (none when nothing was analyzed afresh). */
  model?: SemanticModel;
}

/**
 * Groups a full analysis's findings by the chunk that reported them, and the others by the
 * module-level statement that reported them (for findings of the repaired copy of a file with
 * syntax errors: by the chunk or statement that holds them).
 */
export function chunkedFindings(result: AnalysisResult, chunks: readonly Chunk[]): ChunkedFindings {
  const state: ChunkedFindings = { chunks: chunks.map((c) => ({ start: c.start, end: c.end, findings: [] })), outside: [] };
  const index = new Map(chunks.map((c, i) => [c, i]));
  const spans = statementSpans(result.statements ?? []);
  const byStatement = new Map<number, Finding[]>();
  for (const f of result.findings) {
    const origin = result.origins?.get(f);
    const at = origin ? index.get(origin) : chunkIndexAtPosition(chunks, f.range.start);
    if (at !== undefined) {
      state.chunks[at]!.findings.push(f);
      continue;
    }
    const offset = result.outsideAt?.get(f);
    const statement = offset !== undefined ? spanIndexAt(spans, offset) : statementIndexAtPosition(result.statements ?? [], f.range.start);
    const list = byStatement.get(statement);
    if (list) list.push(f);
    else byStatement.set(statement, [f]);
  }
  state.outside = [...byStatement].sort((a, b) => a[0] - b[0]).map(([i, findings]) => ({ ...(spans[i] ?? { start: 0, end: Infinity }), findings }));
  return state;
}

/** Each statement's span: from its start to the next one's (the last one's runs on to the end). */
function statementSpans(statements: readonly Node[]): Array<{ start: number; end: number }> {
  return statements.map((n, i) => ({ start: i === 0 ? 0 : n.startIndex, end: statements[i + 1]?.startIndex ?? Infinity }));
}

/** The span holding `offset` (the first one for an offset before every span). */
function spanIndexAt(spans: readonly Span[], offset: number): number {
  return Math.max(0, lastSpanStartingAt(spans, offset));
}

function statementIndexAtPosition(statements: readonly Node[], p: Position): number {
  let found = 0;
  statements.forEach((n, i) => {
    const s = n.startPosition;
    if (s.row < p.line || (s.row === p.line && s.column <= p.character)) found = i;
  });
  return found;
}

function chunkIndexAtPosition(chunks: readonly Chunk[], p: Position): number | undefined {
  for (let i = 0; i < chunks.length; i++) {
    const { startPosition: s, endPosition: e } = chunks[i]!.node;
    const afterStart = p.line > s.row || (p.line === s.row && p.character >= s.column);
    const beforeEnd = p.line < e.row || (p.line === e.row && p.character <= e.column);
    if (afterStart && beforeEnd) return i;
  }
  return undefined;
}

/**
 * Analyzes `tree` (already re-parsed after `changes`, in the order they were made) reusing
 * `previous`, the state of the analysis before them. `changedRanges` are tree-sitter's ranges whose
 * syntax changed in the re-parse. Returns undefined when nothing can be reused.
 */
export function analyzeIncrementally(
  tree: Tree,
  source: string,
  options: AnalyzeOptions,
  workspace: WorkspaceLink | undefined,
  previous: ChunkedFindings,
  changes: readonly TextChange[],
  changedRanges: ReadonlyArray<{ startIndex: number; endIndex: number }>,
  replacedFunctions?: ReadonlyMap<number, Node>,
  root: Node = tree.rootNode,
  carriedModel?: SemanticModel,
): IncrementalResult | undefined {
  if (changes.length === 0) return undefined;
  const t0 = performance.now();
  const semantic = carriedModel ?? lazyModel(root, source, workspace, replacedFunctions);
  // Whitespace typed between statements (a blank line, a trailing space) moves code without
  // changing it when the re-parse found no syntax change: it dirties nothing outside functions.
  const neutral = changedRanges.length === 0;
  const spans = dirtySpans(changes).filter((span, i) => !(neutral && changes[i]!.whitespaceOnly && !semantic.chunks.some((c) => span.start <= c.end && span.end >= c.start)));
  const dirty = [...spans, ...changedRanges.map((r) => ({ start: r.startIndex, end: r.endIndex }))];
  // A change outside every function (an import, a module-level assignment) is analyzed afresh with
  // the module-level statements it touched; the functions and the other statements keep their
  // findings until the full analysis.
  const outsideSpans = dirty.filter((span) => !semantic.chunks.some((c) => c.start <= span.start && span.end <= c.end));

  // By start (chunks never share one), with the end to check: no key string per function per keystroke.
  const carried = new Map<number, { end: number; findings: Finding[] }>();
  for (const old of previous.chunks) {
    const moved = moveChunk(old, changes);
    if (moved) carried.set(moved.start, { end: moved.end, findings: old.findings });
  }
  const fresh: Chunk[] = [];
  const carriedOver = new Map<Chunk, Finding[]>();
  // Functions whose text is unchanged but whose syntax the re-parse changed (a character typed at the
  // start of a line in a class body ends the class there): the nearest are analyzed afresh, the rest
  // keep their findings until the settling analysis, so that one keystroke never re-analyzes half the file.
  const resyntaxed: Array<{ chunk: Chunk; findings: Finding[] }> = [];
  const overlaps = (span: { start: number; end: number }, chunk: Chunk) => span.start <= chunk.end && span.end >= chunk.start;
  for (const chunk of semantic.chunks) {
    const edited = spans.some((span) => overlaps(span, chunk));
    const kept = edited ? undefined : carried.get(chunk.start);
    const before = kept?.end === chunk.end ? kept.findings : undefined;
    const moved = before && moveFindings(before, changes);
    if (!moved) fresh.push(chunk);
    else if (changedRanges.some((r) => overlaps({ start: r.startIndex, end: r.endIndex }, chunk))) resyntaxed.push({ chunk, findings: moved });
    else carriedOver.set(chunk, moved);
  }
  const editedAt = spans[0]?.start ?? 0;
  const distance = (chunk: Chunk) => (chunk.end < editedAt ? editedAt - chunk.end : Math.max(0, chunk.start - editedAt));
  resyntaxed.sort((a, b) => distance(a.chunk) - distance(b.chunk));
  resyntaxed.forEach(({ chunk, findings }, i) => {
    if (i < MAX_RESYNTAXED_CHUNKS) fresh.push(chunk);
    else carriedOver.set(chunk, findings);
  });
  fresh.sort((a, b) => a.start - b.start);
  if (carriedOver.size === 0 || fresh.length > MAX_FRESH_CHUNKS) return undefined;
  const { carried: carriedOutside, dirtyStatements, statements } = carryStatements(semantic, previous.outside, changes, outsideSpans);
  // An unclosed bracket can pull the rest of the file into the edited function (or into the code outside
  // functions): walking that on the lazy model costs more than a full analysis, which the language
  // server runs in slices instead.
  const chunkChars = (chunks: readonly Chunk[]) => chunks.reduce((sum, c) => sum + (c.end - c.start), 0);
  const inDirtyStatements = (c: Chunk) => dirtyStatements.some((r) => r.start <= c.start && c.end <= r.end);
  const outsideChars = dirtyStatements.length === 0 ? 0 : dirtyStatements.reduce((sum, r) => sum + Math.min(r.end, source.length) - r.start, 0) - chunkChars(semantic.chunks.filter(inDirtyStatements));
  const freshChars = chunkChars(fresh) + outsideChars;
  if (freshChars > MAX_FRESH_CHARS && freshChars > source.length / 2) return undefined;

  const t1 = performance.now();
  const runner = new RuleRunner(semantic, source, options);
  // Suppressions for the whole file can sit anywhere: read those comments wherever they are.
  runner.visit(semantic.outsideComments(), () => undefined);
  for (const chunk of source.includes('async-pitfalls') ? semantic.chunks : []) {
    if (!fresh.includes(chunk) && semantic.chunkMentions(chunk, 'async-pitfalls')) {
      semantic.buildChunk(chunk);
      runner.visit(chunk.nodes.filter((n) => n.type === 'comment'), () => chunk);
    }
  }
  for (const chunk of fresh) {
    semantic.buildChunk(chunk);
    runner.visit(chunk.nodes, () => chunk);
  }
  if (dirtyStatements.length > 0) runner.visit(semantic.outsideNodesWithin(dirtyStatements), () => undefined);
  const result = runner.finish();
  const t2 = performance.now();
  // A suppression comment added since applies to carried-over findings too.
  const suppressed = (f: Finding) => runner.suppressions.isSuppressed(f.range.start.line, f.code);
  const unsuppressed = (list: Finding[]) => (list.some(suppressed) ? list.filter((f) => !suppressed(f)) : list);
  const freshByChunk = new Map<Chunk, Finding[]>();
  const freshByStatement = new Map<number, Finding[]>();
  for (const f of result.findings) {
    const origin = result.origins?.get(f);
    if (!origin) {
      // Only the dirty statements were visited outside functions: each finding belongs to one.
      const at = spanIndexAt(statements, result.outsideAt?.get(f) ?? 0);
      if (freshByStatement.has(at)) freshByStatement.get(at)!.push(f);
      else freshByStatement.set(at, [f]);
    } else if (freshByChunk.has(origin)) freshByChunk.get(origin)!.push(f);
    else freshByChunk.set(origin, [f]);
  }
  const outside: StatementFindings[] = carriedOutside.map((entry) => ({ ...entry, findings: unsuppressed(entry.findings) }));
  for (const [at, list] of freshByStatement) outside.push({ ...(statements[at] ?? { start: 0, end: Infinity }), findings: list });
  const state: ChunkedFindings = {
    chunks: semantic.chunks.map((c) => ({ start: c.start, end: c.end, findings: carriedOver.has(c) ? unsuppressed(carriedOver.get(c)!) : (freshByChunk.get(c) ?? []) })),
    outside: outside.filter((entry) => entry.findings.length > 0).sort((a, b) => a.start - b.start),
  };
  const findings = sortFindings(findingsOf(state));
  const phases = { model: t1 - t0, rules: t2 - t1, carry: performance.now() - t2 };
  const freshSpans = { chunks: fresh.map((c) => ({ start: c.start, end: c.end })), statements: dirtyStatements };
  return { ...result, findings, state, fresh: freshSpans, analyzed: fresh.length, reused: carriedOver.size, built: semantic.chunks.filter((c) => c.built).length, phases, model: semantic };
}

/** Every finding of the state, unsorted: without an array per function, most of which have none. */
function findingsOf(state: ChunkedFindings): Finding[] {
  const all: Finding[] = [];
  for (const entry of state.outside) for (const f of entry.findings) all.push(f);
  for (const chunk of state.chunks) for (const f of chunk.findings) all.push(f);
  return all;
}

/** Where a function is, in offsets of the text. */
export interface FunctionSpan {
  start: number;
  end: number;
  /** Other code is stale in the tree too: functions parsed alone before, `broken` regions (a model carried over stands in for them). */
  staleElsewhere?: boolean;
  /** Code outside functions typed into that does not parse yet (see `analyzeModuleLevelEdit`). */
  broken?: BrokenRegion[];
}

/** Code outside functions that does not parse since an edit, with its text as the last analysis of it saw it. */
export interface BrokenRegion {
  start: number;
  end: number;
  analyzedText: string;
}

export interface EditedFunctionResult {
  result: IncrementalResult;
  /** The function parsed alone, in offsets of the text now: pass it to the next call while the tree stays un-parsed. */
  edited: FunctionSpan;
  /** Milliseconds spent parsing the function. */
  parseMs: number;
  /** Frees the function's own tree, once nothing reads the result's nodes any more (unless `typing` keeps it). */
  dispose(): void;
  /** The model to carry over to the next keystroke (see `TypingModel`). */
  typing?: TypingModel;
  /** Whether the last keystroke's model was carried over rather than built again. */
  reusedModel: boolean;
}

/**
 * While typing stays inside one top-level function or method, re-parses only that function and
 * analyzes it on a model of the rest of the file taken from `staleTree`: the tree last parsed,
 * `edit`ed for every change since, and not re-parsed. tree-sitter's incremental re-parse of a Python
 * file is not local: it cannot reuse a statement's subtree when the statement starts with a name
 * (the keyword-capture token), and most repetitions are fragile (built across grammar conflicts),
 * so it walks every statement of the file again: 5-16 ms for 10,000 lines, and tens of milliseconds
 * when error recovery runs after a quote or a bracket. A function alone parses in under a millisecond.
 *
 * `changes` are the changes since the last analysis, whose state is `previous`; `edited` is the
 * function parsed alone since `staleTree` was parsed, if any (in the last analysis's offsets): its
 * text in `staleTree` is out of date too. Returns undefined when the changes are not all inside one
 * function (after its first character), when that is not `edited` (bring `edited` into the tree
 * first: `catchUpTree`; several stale functions made the eventual re-parse recover from several
 * syntax errors at once), when the function alone does not parse as one function spanning the same
 * text, or when the analysis cannot reuse anything: then re-parse the whole file.
 *
 * Where the function has a syntax error, it is analyzed as it parses alone, while in the whole file
 * the error could reach past it (an unclosed bracket or string); the full re-parse once typing
 * pauses settles that. Without syntax errors a function parses alone exactly as in the file.
 *
 * Points `staleTree`'s nodes at `source` for their text (`readTextFrom`), whatever the outcome.
 */
export function analyzeEditedFunction(
  parseRange: (text: string, range: ParseRange) => Tree,
  staleTree: Tree,
  source: string,
  options: AnalyzeOptions,
  workspace: WorkspaceLink | undefined,
  previous: ChunkedFindings,
  changes: readonly TextChange[],
  edited: FunctionSpan | undefined,
  typing?: TypingModel,
  carryModel = false,
): EditedFunctionResult | undefined {
  // The model of the last keystroke is used up here, whatever happens: carried over, or dropped.
  let kept: TypingModel | undefined = typing;
  const drop = () => {
    kept?.dispose();
    kept = undefined;
  };
  // The trees of other functions parsed alone, taken over from `kept` with its model.
  let owned: Map<Chunk, Tree> | undefined;
  const freeOwned = () => {
    for (const tree of owned?.values() ?? []) tree.delete();
    owned = undefined;
  };
  try {
    const first = changes[0];
    if (!first) return undefined;
    // Before any way out: the kept nodes must see every edit made to the tree.
    const root = keptRootOf(staleTree, changes);
    const candidate = previous.chunks[lastSpanStartingAt(previous.chunks, first.startIndex)];
    if (!candidate) return undefined;
    // Other functions are stale in the tree (parsed alone before): only the model carried over has
    // them as they are now; without it, the tree must catch up first.
    const elsewhere = !!edited && (edited.start !== candidate.start || !!edited.staleElsewhere);
    const usable = kept?.staleTree === staleTree ? kept : undefined;
    if (elsewhere && !usable) return undefined;
    const { start } = candidate;
    let end = candidate.end;
    // Whitespace typed or deleted right after the function's last token leaves the function as it is.
    const trailing = changes.length === 1 && !!first.whitespaceOnly && first.startIndex === end;
    for (const change of changes) {
      if (trailing) break;
      if (change.startIndex <= start || change.oldEndIndex > end) return undefined;
      end += change.newEndIndex - change.oldEndIndex;
    }
    const stale = functionStartingAt(staleTree, start);
    if (!stale || !readTextFrom(staleTree, source)) return undefined;
    const range: ParseRange = { startIndex: start, endIndex: end, startPosition: stale.startPosition, endPosition: positionAt(source, stale.startPosition, start, end) };
    const t0 = performance.now();
    const alone = parseRange(source, range);
    const parseMs = performance.now() - t0;
    // Its nodes are moved by later edits elsewhere while a carried model holds them (kept-root.ts).
    const aloneRoot = keptRootOf(alone, []) ?? alone.rootNode;
    const statements = aloneRoot.namedChildren.filter((n) => n.type !== 'comment');
    const fn = statements.length === 1 ? statements[0]! : undefined;
    const whole = fn?.type === 'function_definition' && fn.startIndex === start && fn.endIndex === end;
    let model: SemanticModel | undefined;
    const chunkBefore = usable?.model.chunks.find((c) => c.start === start);
    if (whole && usable && chunkBefore && carriesOver(usable, chunkBefore, fn, source, changes)) {
      for (const [chunk, tree] of usable.trees) if (chunk !== chunkBefore) moveAloneTree(tree, changes, source);
      if (usable.model.replaceFunctionBody(chunkBefore, fn, source, offsetMover(changes))) {
        model = usable.model;
        owned = takeTrees(usable);
        kept = undefined;
        // The function's last tree goes once the model no longer holds its nodes.
        owned.get(chunkBefore)?.delete();
        owned.delete(chunkBefore);
      }
    }
    // A syntax error: kept as while the function does not parse, unless it parses as one function and
    // a model can take it in (a new one, when the rest of the tree is not stale); without one, the
    // catch-up parse of the whole file would recover from the error in the file.
    const doesNotParse = alone.rootNode.hasError || misindented(aloneRoot, source, stale.startPosition.column);
    const unparsed = doesNotParse && (!whole || (elsewhere && !model && !!usable && carryModel));
    if (elsewhere && whole && !model && !unparsed) {
      alone.delete();
      return undefined;
    }
    let carriedBroken: TypingModel | undefined;
    if (unparsed && usable && carryModel) {
      // Still carried over, the function being typed kept as it last parsed (see `SemanticModel.moveOffsets`):
      // closing the bracket then needs no catch-up parse of the whole file.
      carriedBroken = carriedAcross(usable, staleTree, source, changes);
      kept = undefined;
      // Freed by the way out below unless handed on.
      owned = carriedBroken?.trees;
    }
    drop();
    let result: IncrementalResult | undefined;
    try {
      result = unparsed
        ? keptWhileBroken(previous, changes, { start, end })
        : whole
          ? analyzeIncrementally(staleTree, source, options, workspace, previous, changes, [], new Map([[start, fn]]), root, model)
          : undefined;
    } catch (error) {
      alone.delete();
      throw error;
    }
    if (!result) {
      alone.delete();
      return undefined;
    }
    const broken = movedRegions(edited?.broken, changes);
    const span: FunctionSpan = elsewhere || broken ? { start, end, staleElsewhere: true, ...(broken ? { broken } : {}) } : { start, end };
    if (unparsed) {
      alone.delete();
      owned = undefined;
      return { result, edited: span, parseMs, dispose: () => undefined, typing: carriedBroken, reusedModel: !!carriedBroken };
    }
    const chunk = result.model?.chunks.find((c) => c.start === start);
    const trees = owned ?? new Map<Chunk, Tree>();
    owned = undefined;
    if (carryModel && result.model && chunk) {
      trees.set(chunk, alone);
      return { result, edited: span, parseMs, dispose: () => undefined, typing: typingModel(result.model, staleTree, source, trees), reusedModel: !!model };
    }
    const dispose = () => {
      alone.delete();
      for (const tree of trees.values()) tree.delete();
    };
    return { result, edited: span, parseMs, dispose, reusedModel: !!model };
  } finally {
    drop();
    freeOwned();
  }
}

/** Moves the nodes of a function parsed alone by the changes made elsewhere since, and points them at the text now. */
function moveAloneTree(tree: Tree, changes: readonly TextChange[], source: string): void {
  for (const change of changes) tree.edit(new Edit(change));
  keptRootOf(tree, changes);
  readTextFrom(tree, source);
}

/**
 * The model of an incremental analysis of a freshly parsed tree (built from `keptRootOf(tree, [])`),
 * for the next keystroke to carry over: typing that goes back into a function after an edit outside
 * functions then does not build a model again.
 */
export function typingModelOf(result: IncrementalResult, tree: Tree, source: string): TypingModel | undefined {
  return result.model?.lazy && result.model.root === keptRootOf(tree, []) ? typingModel(result.model, tree, source, new Map()) : undefined;
}

/** The model an incremental analysis builds: bodies built when a query reaches them. */
function lazyModel(root: Node, source: string, workspace: WorkspaceLink | undefined, replacedFunctions?: ReadonlyMap<number, Node>, inSlices = false): SemanticModel {
  // Shallow outside functions, unless a suppression for the whole file may sit in an expression's comment.
  return new SemanticModel(root, workspace, { lazyBodies: true, source, shallowOutside: !source.includes('async-pitfalls:'), replacedFunctions, inSlices });
}

/**
 * A model of a freshly parsed tree (no edit since) for the first keystroke after a full analysis to
 * carry over, built while the editor is idle: otherwise that keystroke builds it (5-20 ms on 10,000
 * lines, 150 ms on 100,000). Yields whenever `sliceMs` have passed, so that other messages wait for
 * one slice at most (an edit arriving meanwhile runs the rest before the tree is edited).
 */
export function* idleTypingModel(tree: Tree, source: string, workspace: WorkspaceLink | undefined, sliceMs = Infinity): Generator<void, TypingModel | undefined> {
  const root = keptRootOf(tree, []);
  if (!root) return undefined;
  const model = lazyModel(root, source, workspace, undefined, true);
  let start = performance.now();
  while (!model.buildSome(() => performance.now() - start > sliceMs)) {
    yield;
    start = performance.now();
  }
  return typingModel(model, tree, source, new Map());
}

/** The trees of a model carried over, which no longer frees them. */
function takeTrees(kept: TypingModel): Map<Chunk, Tree> {
  const trees = new Map(kept.trees);
  kept.trees.clear();
  return trees;
}

function typingModel(model: SemanticModel, staleTree: Tree, source: string, trees: Map<Chunk, Tree>): TypingModel {
  let disposed = false;
  return {
    model,
    staleTree,
    source,
    trees,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const tree of trees.values()) tree.delete();
    },
  };
}

/** Words whose presence in a function's body means its body changes more of the model than its own scope. */
const BODY_REACHES_OUT = /\b(?:global|nonlocal|import)\b/;

/**
 * Whether the model of the last keystroke can be carried over to this one, the edit being in
 * `chunk`'s function (one of the model's, that keystroke's or another): the same stale tree, and
 * neither the old function nor the new one reaching out of it (see `SemanticModel.replaceFunctionBody`).
 */
function carriesOver(kept: TypingModel, chunk: Chunk, fn: Node, source: string, changes: readonly TextChange[]): boolean {
  // Not `chunk.bodyStart`: read now, from a node the edit already moved, it could be in the new text's offsets.
  const bodyStart = fn.childForFieldName('body')?.startIndex;
  if (bodyStart === undefined) return false;
  const header = source.slice(fn.startIndex, bodyStart);
  // The `def` line may change (a parameter, the name: `replaceFunction` rebinds it), one change at a time,
  // unless a walrus in it binds in the enclosing scope, before or after.
  const inHeader = changes.filter((change) => change.startIndex < bodyStart);
  if (inHeader.length > 0) {
    const change = inHeader.length === 1 && changes.length === 1 ? inHeader[0]! : undefined;
    if (!change) return false;
    const before = kept.source.slice(chunk.start, chunk.start + header.length - (change.newEndIndex - change.oldEndIndex));
    if (header.includes(':=') || before.includes(':=')) return false;
  } else if (header !== kept.source.slice(chunk.start, chunk.start + header.length)) return false;
  return !BODY_REACHES_OUT.test(kept.source.slice(chunk.start, chunk.end)) && !BODY_REACHES_OUT.test(source.slice(fn.startIndex, fn.endIndex));
}

/**
 * The model of the last analysis while typing stays in function bodies, carried over to the next
 * keystroke instead of building one again (see `SemanticModel.replaceFunctionBody`), in the same
 * function or another. It holds nodes of the functions parsed alone since the stale tree was parsed:
 * `dispose` frees their trees; the next `analyzeEditedFunction` takes them over (pass it there, or
 * dispose it when the document's tree is re-parsed or dropped).
 */
export interface TypingModel {
  readonly model: SemanticModel;
  /** The stale tree the model was built on. */
  readonly staleTree: Tree;
  /** The text the model is of: the last analysis's. */
  readonly source: string;
  /** The trees of the functions parsed alone, by the model's chunk of each. */
  readonly trees: Map<Chunk, Tree>;
  dispose(): void;
}

/** Characters whose typing or deletion can change how the text around them is read (a quote ends a string). */
const STRUCTURAL_CHARACTERS = /["'\\\r\n{}]/;
/** Comments that say something to this tool, or to a type checker: editing them is not only text. */
const MEANINGFUL_COMMENT = /noqa|async-pitfalls|type:/i;

/**
 * The result of a single change that only edits text nothing reads: inside a comment outside
 * functions, or inside a plain string that is a statement of its own at module or class level (a
 * docstring), typing or deleting no quote, backslash, brace or line break; or whitespace at the end of
 * a line outside functions (`trailingWhitespaceEdit`). Every finding stays,
 * moved; `staleTree` (already `edit`ed for the change) is not re-parsed. Undefined for any other
 * change. The full analysis once typing pauses re-parses the file as for every edit.
 */
export function keptForTextOnlyEdit(staleTree: Tree, analyzedSource: string, source: string, previous: ChunkedFindings, changes: readonly TextChange[]): IncrementalResult | undefined {
  // Before any way out: the kept nodes must see every edit made to the tree.
  keptRootOf(staleTree, changes);
  const change = changes.length === 1 ? changes[0] : undefined;
  if (!change) return undefined;
  const removed = analyzedSource.slice(change.startIndex, change.oldEndIndex);
  const inserted = source.slice(change.startIndex, change.newEndIndex);
  if (STRUCTURAL_CHARACTERS.test(removed) || STRUCTURAL_CHARACTERS.test(inserted) || !readTextFrom(staleTree, source)) return undefined;
  // Outside every function: an edit inside one is the edited function's (`analyzeEditedFunction`).
  const holding = previous.chunks[lastSpanStartingAt(previous.chunks, change.startIndex)];
  if (holding && change.oldEndIndex <= holding.end) return undefined;
  const root = staleTree.rootNode;
  if (trailingWhitespaceEdit(root, source, change, removed, inserted)) return keptWhileBroken(previous, changes, undefined);
  const text = (n: Node | null) => n?.type === 'comment' || n?.type === 'string_content';
  let node = root.descendantForIndex(change.startIndex, change.newEndIndex);
  if (!node || !text(node) || change.startIndex <= node.startIndex || change.newEndIndex > node.endIndex) {
    // Typed at the very end of a comment or of a docstring's text: the edit did not make the node longer.
    const before = change.startIndex > 0 ? root.descendantForIndex(change.startIndex - 1, change.startIndex) : null;
    if (!before || !text(before) || before.endIndex !== change.startIndex || before.startIndex >= change.startIndex) return undefined;
    node = before;
  }
  if (node.type === 'comment') {
    // The comment's whole line, before and after: it runs to the end of it.
    const lineEnd = (t: string, from: number) => {
      const end = t.slice(from).search(/[\r\n]/);
      return end < 0 ? t.length : from + end;
    };
    if (MEANINGFUL_COMMENT.test(analyzedSource.slice(node.startIndex, lineEnd(analyzedSource, node.startIndex))) || MEANINGFUL_COMMENT.test(source.slice(node.startIndex, lineEnd(source, node.startIndex)))) return undefined;
  } else if (node.type === 'string_content') {
    const string = node.parent;
    const statement = string?.parent;
    const block = statement?.parent;
    if (string?.type !== 'string' || statement?.type !== 'expression_statement' || statement.namedChildCount !== 1 || /[fFtT]/.test(string.child(0)?.text ?? 'f')) return undefined;
    if (!block || !(block.type === 'module' || (block.type === 'block' && block.parent?.type === 'class_definition'))) return undefined;
  } else {
    return undefined;
  }
  // Nor in a function nested in module-level code, or a lambda.
  for (let at: Node | null = node; at; at = at.parent) if (at.type === 'function_definition' || at.type === 'lambda') return undefined;
  return keptWhileBroken(previous, changes, undefined);
}

/**
 * Spaces or tabs typed or erased after the last token of a line, or on a line of nothing else, and
 * not in a string (a line of a triple-quoted string), nor after a backslash (which a space would
 * stop continuing the line): Python reads the same tokens (a class of hundreds of lines was parsed
 * again and compared node by node for a space at the end of one of its lines: 20-55 ms). The stale
 * tree says what holds the line's last character, which the edit did not move.
 */
function trailingWhitespaceEdit(root: Node, source: string, change: TextChange, removed: string, inserted: string): boolean {
  if (root.hasError || !/^[ \t]*$/.test(removed) || !/^[ \t]*$/.test(inserted)) return false;
  let after = change.newEndIndex;
  while (source[after] === ' ' || source[after] === '\t') after++;
  if (after < source.length && source[after] !== '\n' && source[after] !== '\r') return false;
  let before = change.startIndex;
  while (before > 0 && (source[before - 1] === ' ' || source[before - 1] === '\t')) before--;
  if (before === 0) return true;
  if (source[before - 1] === '\\') return false;
  // The line's last character before the whitespace, or the line break before a line of nothing else.
  for (let node: Node | null = root.descendantForIndex(before - 1, before); node; node = node.parent) {
    if (node.type === 'string' || node.type === 'comment' || node.isError || node.isMissing) return false;
  }
  return true;
}

/**
 * The result while the edited function does not parse as a function (an unclosed bracket or string
 * being typed): every finding of the last analysis, the edited function's too, moved by the changes
 * (those inside a change are dropped). Analyzing what the parser recovered from such text would
 * make squiggles come and go at every keystroke of an unfinished line; the full analysis once
 * typing pauses reports on the text as it is. Undefined when a finding outside the function cannot
 * be moved (the whole file is re-parsed then).
 */
function keptWhileBroken(previous: ChunkedFindings, changes: readonly TextChange[], edited: FunctionSpan | undefined): IncrementalResult | undefined {
  const t0 = performance.now();
  const chunks: ChunkedFindings['chunks'] = [];
  for (const chunk of previous.chunks) {
    if (edited && chunk.start === edited.start) {
      chunks.push({ ...edited, findings: chunk.findings.flatMap((f) => moveFindings([f], changes) ?? []) });
      continue;
    }
    const moved = moveChunk(chunk, changes);
    const findings = moved && moveFindings(chunk.findings, changes);
    if (!moved || !findings) return undefined;
    // Functions above the edit stay as they were (half of them, on average: thousands in a large file).
    const unmoved = moved.start === chunk.start && moved.end === chunk.end && findings === chunk.findings;
    chunks.push(unmoved ? chunk : { start: moved.start, end: moved.end, findings });
  }
  const outside: StatementFindings[] = [];
  for (const entry of previous.outside) {
    const findings = moveFindings(entry.findings, changes);
    if (!findings) return undefined;
    outside.push({ ...moveSpan(entry, changes), findings });
  }
  const state: ChunkedFindings = { chunks, outside };
  const findings = sortFindings(findingsOf(state));
  const fresh = { chunks: [], statements: [] };
  return { findings, ruleErrors: [], state, fresh, analyzed: 0, reused: chunks.length, built: 0, phases: { model: 0, rules: 0, carry: performance.now() - t0 } };
}

/**
 * One change outside every function, while typing: the module-level statements around it (or the
 * blank lines between them) are parsed alone, not the whole file. Where they do not parse (a bracket
 * or a quote just opened, a keyword half typed, indentation Python rejects: `misindentedRegion`),
 * every finding stays, moved, as while a function does not parse (`keptWhileBroken`), and the region
 * is remembered with the text the last analysis saw there; once typing makes that text again (the
 * bracket deleted), the findings are exact again and the region is forgotten. Code that parses is
 * analyzed too where no rule reads it (`inertRegion`), where the stale tree already reads it
 * (`sameShapeEdit`), or where it is an import or an assignment whose names the model can bind
 * again (`rebindableStatement`). The model of the last keystroke is carried
 * across (offsets moved). Any other change outside functions (code that parses and is new) is left
 * to the whole file's re-parse: undefined then, and `typing` is the caller's to dispose (when a
 * same-shape analysis gave up, its model was moved already: do not carry it over).
 *
 * `analyzedSource` is the text the last analysis saw; `edited` what is stale in `staleTree` so far.
 */
export function analyzeModuleLevelEdit(
  parseRange: (text: string, range: ParseRange) => Tree,
  staleTree: Tree,
  source: string,
  analyzedSource: string,
  previous: ChunkedFindings,
  changes: readonly TextChange[],
  edited: FunctionSpan | undefined,
  typing: TypingModel | undefined,
  options: AnalyzeOptions = {},
  workspace?: WorkspaceLink,
): { result: IncrementalResult; edited: FunctionSpan | undefined; typing?: TypingModel } | undefined {
  const root = keptRootOf(staleTree, changes);
  const change = changes.length === 1 ? changes[0] : undefined;
  if (!root || !change || touchesChunk(previous.chunks, change.startIndex, change.oldEndIndex)) return undefined;
  if (!readTextFrom(staleTree, source)) return undefined;
  const regions = movedRegions(edited?.broken, changes) ?? [];
  const inside = (r: { start: number; end: number }) => r.start <= change.startIndex && change.newEndIndex <= r.end;
  let region = regions.find(inside);
  let inert = false;
  if (region && source.slice(region.start, region.end) === region.analyzedText) {
    // Typed back to what the last analysis saw: its findings, moved, are exact there again.
    regions.splice(regions.indexOf(region), 1);
  } else {
    if (!region) {
      const span = moduleRegionAt(root, change, source);
      if (!span || regions.some((r) => r.start <= span.end && span.start <= r.end)) return undefined;
      region = { ...span, analyzedText: analyzedSource.slice(span.start, span.end - (change.newEndIndex - change.oldEndIndex)) };
      regions.push(region);
    }
    if (region.end - region.start > MAX_REGION_CHARS) return undefined;
    const parsed = parseRegion(parseRange, source, region);
    let reshaped = false;
    let renamed: Node | undefined;
    try {
      if (!parsed.rootNode.hasError && !misindentedRegion(parsed.rootNode, source)) {
        // It parses: new code to analyze (the whole file's parse), unless no rule reads anything
        // there, before or after (a name or a number being typed on a line of its own, a comment)...
        inert = inertRegion(root, parsed.rootNode, region, source);
        // ... or the tree has it already: the edit stayed inside tokens that bind nothing.
        reshaped = !inert && !edited?.broken?.length && sameShapeEdit(root, parsed.rootNode, region, change, typing, staleTree, source);
        // ... or a name typed in an import or an assignment that the model can bind again.
        renamed = !inert && !reshaped && !edited?.broken?.length ? rebindableStatement(root, parsed.rootNode, region, change, typing, staleTree, source) : undefined;
        if (!inert && !reshaped && !renamed) return undefined;
        regions.splice(regions.indexOf(region), 1);
      }
    } finally {
      parsed.delete();
    }
    if (reshaped || renamed) {
      const carried = carriedAcross(typing, staleTree, source, changes);
      let result: IncrementalResult | undefined;
      try {
        if (renamed) carried?.model.rebindStatement(renamed);
        result = carried && analyzeIncrementally(staleTree, source, options, workspace, previous, changes, [], undefined, root, carried.model);
      } catch (error) {
        carried?.dispose();
        throw error;
      }
      if (!result) {
        carried?.dispose();
        return undefined;
      }
      return { result, edited: edited && movedStale(edited, changes), typing: carried };
    }
  }
  const kept = keptWhileBroken(previous, changes, undefined);
  if (!kept) return undefined;
  // Analyzed, in effect: nothing there for any rule (the differential checks compare it as fresh).
  const result = inert ? { ...kept, fresh: { chunks: [], statements: [{ start: region.start, end: region.end }] } } : kept;
  const stale: FunctionSpan = { start: edited?.start ?? region.start, end: edited?.end ?? region.end, ...(edited ? movedStale(edited, changes) : {}), staleElsewhere: true, broken: regions.sort((a, b) => a.start - b.start) };
  if (regions.length === 0) delete stale.broken;
  return { result, edited: stale, typing: carriedAcross(typing, staleTree, source, changes) };
}

/** Code outside functions longer than this is left to the whole file's re-parse (a class of thousands of lines). */
const MAX_REGION_CHARS = 64 * 1024;

/**
 * The module-level statements that `change` (already applied to the tree) touches, from the start of
 * the first one's line to the end of the last one, or the lines between two statements when it
 * touches none: what parses alone as it does in the file, unless a bracket or a string is left open.
 */
function moduleRegionAt(root: Node, change: TextChange, source: string): { start: number; end: number } | undefined {
  const statements = root.namedChildren;
  let first = -1;
  let last = -1;
  let touched = firstEndingAtOrAfter(statements, change.startIndex);
  const stretched = touched < statements.length ? endOnLineAbove(statements[touched]!, change.startIndex, source) : undefined;
  if (stretched !== undefined) touched++;
  const before: Node | undefined = statements[touched - 1];
  let after: Node | undefined;
  for (let i = touched; i < statements.length; i++) {
    const statement = statements[i]!;
    if (statement.startIndex > change.newEndIndex) {
      after = statement;
      break;
    }
    if (first < 0) first = i;
    last = i;
  }
  if (first >= 0) {
    // From the start of the line: text typed before a statement's first token moved it off column 0.
    const start = Math.min(statements[first]!.startIndex, change.startIndex);
    if (start > 0 && source[start - 1] !== '\n') return undefined;
    return { start, end: Math.max(statements[last]!.endIndex, change.newEndIndex) };
  }
  // Between statements: whole lines, from the one after the statement before.
  const from = before ? source.indexOf('\n', stretched ?? before.endIndex) : -1;
  const start = before ? (from < 0 ? source.length : from + 1) : 0;
  const end = after ? after.startIndex : source.length;
  if (after && after.startPosition.column !== 0) return undefined;
  return start <= change.startIndex && change.newEndIndex <= end ? { start, end } : undefined;
}

/** Statements whose text the model reads into names when it is built: an edit there needs a new model, or the names bound again (`rebindableStatement`). */
const NAMING_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement', 'global_statement', 'nonlocal_statement', 'function_definition', 'class_definition', 'decorated_definition']);

/**
 * Whether the stale tree already reads the region as it parses now: the same nodes (named or not) at
 * the same places, the edit having stayed inside tokens (a call's argument, a string, a condition),
 * none of them a name the model bound (an assignment's target) nor in a statement it reads names from
 * (an import), or having only added or removed whitespace between tokens. Its nodes then read the new
 * text; the model carried over (`typing`) only needs its answers forgotten, and the statement analyzed afresh.
 * With `rebinding`, names bound and imports count too, nodes in exactly the same places: the caller
 * binds the statement's names again (`SemanticModel.rebindStatement`).
 */
function sameShapeEdit(staleRoot: Node, parsed: Node, region: { start: number; end: number }, change: TextChange, typing: TypingModel | undefined, staleTree: Tree, source: string, rebinding = false): boolean {
  if (!typing || typing.staleTree !== staleTree || !typing.model.lazy) return false;
  const before = staleStatementsIn(staleRoot, region, source);
  const after = parsed.namedChildren;
  if (!before || before.length === 0 || before.length !== after.length) return false;
  const pairs: Array<[Node, Node]> = before.map((s, i) => [s, after[i]!]);
  // The stale tree stretches a node over whitespace typed right after it: the same token all the same.
  // Not where names are read again (`rebinding`): a name stretched so would read with the whitespace.
  const samePlace = (a: number, b: number) => a === b || (!rebinding && !!change.whitespaceOnly && /^\s*$/.test(source.slice(Math.min(a, b), Math.max(a, b))));
  while (pairs.length > 0) {
    const [old, now] = pairs.pop()!;
    if (old.type !== now.type || !samePlace(old.startIndex, now.startIndex) || !samePlace(old.endIndex, now.endIndex) || old.childCount !== now.childCount) return false;
    // Whitespace that leaves every token as it was names nothing new (a trailing space after an import).
    if (NAMING_TYPES.has(now.type) && !change.whitespaceOnly && !(rebinding && IMPORT_TYPES.has(now.type))) return false;
    for (let i = 0; i < old.childCount; i++) pairs.push([old.child(i)!, now.child(i)!]);
  }
  if (change.whitespaceOnly || rebinding) return true;
  // From the character before the edit too: erasing a name's last character leaves the edit right after the name.
  const justBefore = Math.max(region.start, change.startIndex - 1);
  for (const [from, to] of [[change.startIndex, change.newEndIndex], [justBefore, justBefore]] as const) {
    for (let node: Node | null = staleRoot.descendantForIndex(from, to); node && node.startIndex >= region.start; node = node.parent) {
      if (node.type === 'identifier' && typing.model.isBindingName(node)) return false;
    }
  }
  return true;
}

/**
 * Module-level code parsed alone that Python rejects for its indentation (see `misindented`): a
 * character typed at column 0 between two methods ends the class there for tree-sitter, and its
 * next methods read as module-level functions. Code indented from its first line may go on with a
 * block above, which the region does not see: that is for the whole file's parse to say.
 */
function misindentedRegion(parsed: Node, source: string): boolean {
  const first = parsed.namedChildren.find((n) => n.type !== 'comment');
  return first?.startPosition.column === 0 && misindented(parsed, source, 0);
}

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement']);

/** The model reads once which of these the file imports (`SemanticModel.library`). */
const ASYNC_LIBRARY_NAME = /\b(?:asyncio|trio|anyio)\b/;

/**
 * The statement a name was typed or erased in, when the stale tree reads it as it parses now
 * (`sameShapeEdit`, names it binds included) and the carried model can bind its names again
 * (`SemanticModel.rebindStatement`): one module-level `import` or `from ... import` without `*` that
 * names no async library before or after the edit, or one assignment (`LIMIT = 3`, `a = b = f()`).
 * Typing such a name letter by letter then parses no more than its line, where each letter used to
 * re-parse the whole file and build a model.
 */
function rebindableStatement(staleRoot: Node, parsed: Node, region: BrokenRegion, change: TextChange, typing: TypingModel | undefined, staleTree: Tree, source: string): Node | undefined {
  const statements = staleStatementsIn(staleRoot, region, source);
  const statement = statements?.length === 1 ? statements[0]! : undefined;
  if (!statement) return undefined;
  if (IMPORT_TYPES.has(statement.type)) {
    if (statement.namedChildren.some((c) => c.type === 'wildcard_import')) return undefined;
    if (ASYNC_LIBRARY_NAME.test(region.analyzedText) || ASYNC_LIBRARY_NAME.test(source.slice(region.start, region.end))) return undefined;
  } else {
    const parts = statement.type === 'expression_statement' ? statement.namedChildren.filter((c) => c.type !== 'comment') : [];
    if (parts.length !== 1 || parts[0]!.type !== 'assignment') return undefined;
    // A walrus in it binds a name too, which only the walk that builds the model binds.
    if (region.analyzedText.includes(':=') || source.slice(region.start, region.end).includes(':=')) return undefined;
  }
  return sameShapeEdit(staleRoot, parsed, region, change, typing, staleTree, source, true) ? statement : undefined;
}

/** The region parsed alone (delete the tree). */
function parseRegion(parseRange: (text: string, range: ParseRange) => Tree, source: string, region: { start: number; end: number }): Tree {
  const startPosition = positionAt(source, { row: 0, column: 0 }, 0, region.start);
  return parseRange(source, { startIndex: region.start, endIndex: region.end, startPosition, endPosition: positionAt(source, startPosition, region.start, region.end) });
}

/**
 * Node types of statements no rule reports on and nothing else reads: expressions of names, literals
 * and operators on lines of their own (no call, attribute, subscript, await, lambda or binding), `pass`,
 * comments. What is typed at module level is mostly such a statement until the line is complete.
 */
const INERT_TYPES = new Set([
  'expression_statement', 'pass_statement', 'comment', 'identifier', 'keyword_identifier', 'integer', 'float', 'true', 'false', 'none', 'ellipsis',
  'string', 'string_start', 'string_content', 'string_end', 'escape_sequence', 'concatenated_string',
  'binary_operator', 'unary_operator', 'boolean_operator', 'comparison_operator', 'not_operator', 'parenthesized_expression',
]);

/**
 * Whether every statement of the region is inert (`INERT_TYPES`), as the stale tree has them (before
 * the edits since its parse) and as `parsed` (the region parsed alone) has them now, with no comment that
 * says something to this tool or a type checker, then or now.
 */
function inertRegion(staleRoot: Node, parsed: Node, region: BrokenRegion, source: string): boolean {
  if (MEANINGFUL_COMMENT.test(region.analyzedText) || MEANINGFUL_COMMENT.test(source.slice(region.start, region.end))) return false;
  const before = staleStatementsIn(staleRoot, region, source);
  if (!before) return false;
  const stack = [...before, ...parsed.namedChildren];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!INERT_TYPES.has(node.type)) return false;
    stack.push(...node.namedChildren);
  }
  return true;
}

/** The stale tree's module-level statements in the region; undefined when one reaches out of it. */
function staleStatementsIn(staleRoot: Node, region: { start: number; end: number }, source: string): Node[] | undefined {
  const within: Node[] = [];
  const statements = staleRoot.namedChildren;
  for (let i = firstEndingAtOrAfter(statements, region.start); i < statements.length; i++) {
    const statement = statements[i]!;
    if (statement.startIndex > region.end) break;
    if (endOnLineAbove(statement, region.start, source) !== undefined) continue;
    // The statement after the region starts where it ends (one emptied by a deletion is in it, to be looked at).
    if (statement.startIndex === region.end && statement.endIndex > region.end) continue;
    if (statement.startIndex < region.start || statement.endIndex > region.end) return undefined;
    within.push(statement);
  }
  return within;
}

/**
 * Where `node`'s text ends when it reaches `offset` only because the stale tree stretched it over
 * text typed after it, on a line below its last token; undefined otherwise. tree-sitter's edit moves
 * the end of every node that ends where text is inserted: after a line opened below an import and a
 * name typed there, the import's last identifier reads `functools\nim`. A token never holds a line
 * break (strings aside: their last token is the closing quote), so where its text first has a blank
 * is where it ends.
 */
function endOnLineAbove(node: Node, offset: number, source: string): number | undefined {
  if (node.startIndex >= offset || node.endIndex < offset) return undefined;
  let leaf = node;
  while (leaf.childCount > 0) leaf = leaf.child(leaf.childCount - 1)!;
  if (NOT_TOKENS.has(leaf.type) || leaf.isMissing || leaf.isError || leaf.startIndex >= offset) return undefined;
  const blank = BLANK_RUN.exec(source.slice(leaf.startIndex, offset));
  if (!blank || blank.index === 0) return undefined;
  const end = leaf.startIndex + blank.index;
  if (source[end - 1] === '\\') return undefined;
  // Blanks, then a line break: not a backslash, which goes on with the statement.
  return /^[ \t\f\r]*\n/.test(source.slice(end, offset)) ? end : undefined;
}

const BLANK_RUN = /[ \t\f\r\n]/;
/** Leaves that may hold blanks and line breaks of their own (an error node: text that did not parse). */
const NOT_TOKENS = new Set(['comment', 'string_content', 'line_continuation', 'ERROR']);

/** Whether a chunk (sorted, not overlapping: functions) touches `start`-`end`, its ends included. */
function touchesChunk(chunks: readonly Span[], start: number, end: number): boolean {
  // The last one starting by `end`: the ones before it end before it starts.
  const last = chunks[lastSpanStartingAt(chunks, end)];
  return !!last && last.end >= start;
}

/**
 * The index of the first of `nodes` (siblings, in document order) that ends at or after `offset`
 * (their count when none does): a binary search, where a file has thousands of module-level statements.
 */
function firstEndingAtOrAfter(nodes: readonly Node[], offset: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.endIndex < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The broken regions after `changes`, or undefined for none. */
function movedRegions(regions: readonly BrokenRegion[] | undefined, changes: readonly TextChange[]): BrokenRegion[] | undefined {
  if (!regions?.length) return undefined;
  return regions.map((r) => ({ ...moveSpan(r, changes), analyzedText: r.analyzedText }));
}

/** What is stale in the tree, after `changes` made outside it. */
function movedStale(edited: FunctionSpan, changes: readonly TextChange[]): FunctionSpan {
  const broken = movedRegions(edited.broken, changes);
  return { ...moveSpan(edited, changes), ...(edited.staleElsewhere ? { staleElsewhere: true } : {}), ...(broken ? { broken } : {}) };
}

/**
 * The model of the last keystroke, carried across `changes` that it does not take in (text only, or
 * code that does not parse yet): its offsets, and the nodes of the functions parsed alone, moved.
 */
function carriedAcross(typing: TypingModel | undefined, staleTree: Tree, source: string, changes: readonly TextChange[]): TypingModel | undefined {
  if (!typing || typing.staleTree !== staleTree || !typing.model.lazy) {
    typing?.dispose();
    return undefined;
  }
  for (const tree of typing.trees.values()) moveAloneTree(tree, changes, source);
  typing.model.moveOffsets(source, offsetMover(changes));
  return typingModel(typing.model, staleTree, source, takeTrees(typing));
}

/** Where an offset of the text before `changes` is after them (snapped to a change's start inside it). */
function offsetMover(changes: readonly TextChange[]): (offset: number) => number {
  return (offset) => changes.reduce((at, change) => moveOffset(at, change, 'start'), offset);
}

/** What parses the whole file and single functions (the engine). */
export interface TypingParser {
  parse(text: string, previous?: Tree): Tree;
  parseRange(text: string, range: ParseRange): Tree;
}

export interface TypingStep {
  /** The document's tree from now on: `staleTree`, or the caught-up tree that replaced it (undefined when that parse failed). */
  tree: Tree | undefined;
  /** The function parsed alone, for the next step (see `analyzeEditedFunction`). */
  edited: FunctionSpan | undefined;
  /** The analysis, when the edited function could be parsed alone. */
  alone?: EditedFunctionResult;
  /** The findings moved, when the change only edited a comment or a docstring outside functions (`keptForTextOnlyEdit`). */
  textOnly?: IncrementalResult;
  /** Milliseconds of the catch-up parse, when there was one. */
  caughtUpMs?: number;
  /**
   * The findings moved, when the change was outside functions and the code around it does not parse
   * (or parses as the last analysis saw it again: `analyzeModuleLevelEdit`).
   */
  moduleLevel?: IncrementalResult;
  /** The model to carry over to the next step, when the step was `textOnly` or `moduleLevel` (see `alone` otherwise). */
  typing?: TypingModel;
}

/**
 * One keystroke's attempt at parsing only the edited function, as the language server makes it
 * (carrying the model of the last keystroke over, `typing`, when it can: the result's `typing` is the
 * caller's to pass to the next step or to dispose): on
 * `staleTree` as it is (`analyzeEditedFunction`) and, when typing moved on from `edited`, after
 * bringing that function into the tree without the new change (`catchUpTree`; `staleTree` is then
 * deleted). `analyzedSource` is the text the last analysis saw. Without `alone`, re-parse the whole
 * file from the returned tree; a parse that timed out gives no `alone`, and no tree when it was the
 * catch-up: the whole file's parse from scratch then reports it.
 */
export function analyzeWhileTyping(
  parser: TypingParser,
  staleTree: Tree,
  source: string,
  analyzedSource: string | undefined,
  options: AnalyzeOptions,
  workspace: WorkspaceLink | undefined,
  previous: ChunkedFindings,
  changes: readonly TextChange[],
  edited: FunctionSpan | undefined,
  typing?: TypingModel,
): TypingStep {
  const parseAlone = (tree: Tree, stale: FunctionSpan | undefined, kept: TypingModel | undefined) => {
    try {
      return analyzeEditedFunction((text, range) => parser.parseRange(text, range), tree, source, options, workspace, previous, changes, stale, kept, true);
    } catch {
      return undefined;
    }
  };
  if (analyzedSource !== undefined) {
    const textOnly = keptForTextOnlyEdit(staleTree, analyzedSource, source, previous, changes);
    if (textOnly) return { tree: staleTree, edited: edited && movedStale(edited, changes), textOnly, typing: carriedAcross(typing, staleTree, source, changes) };
    let moduleLevel: ReturnType<typeof analyzeModuleLevelEdit>;
    try {
      moduleLevel = analyzeModuleLevelEdit((text, range) => parser.parseRange(text, range), staleTree, source, analyzedSource, previous, changes, edited, typing, options, workspace);
    } catch {
      // A parse that timed out, say: the whole file's parse then reports it. The model may be half moved.
      typing?.dispose();
      return { tree: staleTree, edited };
    }
    if (moduleLevel) return { tree: staleTree, edited: moduleLevel.edited, moduleLevel: moduleLevel.result, typing: moduleLevel.typing };
  }
  // `typing` is used up by the first attempt (carried over, or disposed).
  const alone = parseAlone(staleTree, edited, typing);
  if (alone) return { tree: staleTree, edited: alone.edited, alone };
  if (!edited || analyzedSource === undefined) return { tree: staleTree, edited };
  // Outside every function nothing could be parsed alone after a catch-up: the whole file's parse
  // from the stale tree takes in every edit at once (a catch-up first was a second parse of it).
  if (!changes.every((change) => previous.chunks.some((c) => c.start < change.startIndex && change.oldEndIndex <= c.end))) return { tree: staleTree, edited };
  // Another function: the function parsed alone so far goes into the tree first, without this change
  // (whose syntax error, if any, then stays out of the whole file's parse).
  const t0 = performance.now();
  let tree: Tree | undefined;
  try {
    tree = catchUpTree((text, previousTree) => parser.parse(text, previousTree), staleTree, analyzedSource, changes);
  } catch {
    return { tree: undefined, edited: undefined };
  } finally {
    staleTree.delete();
  }
  const caughtUpMs = performance.now() - t0;
  const after = parseAlone(tree, undefined, undefined);
  return { tree, edited: after?.edited, caughtUpMs, ...(after ? { alone: after } : {}) };
}

/**
 * A tree of the whole text as the last analysis saw it (`analyzedSource`), from `staleTree`, which
 * was edited for that text and for `changes` since, but re-parsed for neither: the edits are undone
 * on `staleTree` (which is left unusable: delete it), the text re-parsed incrementally, and the new
 * tree edited for `changes` again. Before parsing another function alone, this brings the functions
 * parsed alone so far into the tree without the new change: a character that opens a string or a
 * bracket is then parsed alone, not recovered from in the whole file (tens of milliseconds).
 */
export function catchUpTree(parse: (text: string, previous: Tree) => Tree, staleTree: Tree, analyzedSource: string, changes: readonly TextChange[]): Tree {
  for (let i = changes.length - 1; i >= 0; i--) staleTree.edit(new Edit(undoing(changes[i]!)));
  const tree = parse(analyzedSource, staleTree);
  for (const change of changes) tree.edit(new Edit(change));
  return tree;
}

/** The change that undoes `change`. */
function undoing(change: TextChange): TextChange {
  return {
    startIndex: change.startIndex,
    oldEndIndex: change.newEndIndex,
    newEndIndex: change.oldEndIndex,
    startPosition: change.startPosition,
    oldEndPosition: change.newEndPosition,
    newEndPosition: change.oldEndPosition,
  };
}

/** The top-level function or method of `tree` that starts at `start`. */
function functionStartingAt(tree: Tree, start: number): Node | undefined {
  for (let node: Node | null = tree.rootNode.descendantForIndex(start, start); node; node = node.parent) {
    if (node.startIndex !== start) return undefined;
    if (node.type === 'function_definition') return node;
  }
  return undefined;
}

/** The row and column of offset `to`, counting on from `from` at `at`. */
function positionAt(text: string, at: { row: number; column: number }, from: number, to: number): { row: number; column: number } {
  let row = at.row;
  let lineStart = from - at.column;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: to - lineStart };
}

/**
 * Carries over the findings of module-level statements that no change outside functions touched
 * (`outsideSpans`), moved by the changes. Returns them, and the spans of the statements to analyze
 * afresh: those the changes touched and those whose findings could not be moved (merged where
 * adjacent, in document order). `statements` are the current statement spans, computed only when
 * something outside functions must be analyzed afresh.
 */
function carryStatements(
  semantic: SemanticModel,
  previous: readonly StatementFindings[],
  changes: readonly TextChange[],
  outsideSpans: ReadonlyArray<{ start: number; end: number }>,
): { carried: StatementFindings[]; dirtyStatements: Array<{ start: number; end: number }>; statements: Array<{ start: number; end: number }> } {
  const touches = (span: { start: number; end: number }, entry: { start: number; end: number }) => span.start <= entry.end && span.end >= entry.start;
  const carried: StatementFindings[] = [];
  const lost: number[] = [];
  for (const entry of previous) {
    const { start, end } = moveSpan(entry, changes);
    const moved = outsideSpans.some((span) => touches(span, { start, end })) ? undefined : moveFindings(entry.findings, changes);
    if (moved) carried.push({ start, end, findings: moved });
    else lost.push(start);
  }
  if (outsideSpans.length === 0 && lost.length === 0) return { carried, dirtyStatements: [], statements: [] };
  const statements = statementSpans(semantic.topLevel);
  const dirty = new Set<number>();
  statements.forEach((statement, i) => {
    if (outsideSpans.some((span) => touches(span, statement))) dirty.add(i);
  });
  for (const offset of lost) dirty.add(spanIndexAt(statements, offset));
  // A carried entry must still be one whole statement that is not analyzed afresh; its end follows the statements now.
  const byStatement = new Map<number, StatementFindings[]>();
  for (const entry of carried) {
    const i = spanIndexAt(statements, entry.start);
    if (statements[i]?.start !== entry.start || byStatement.has(i)) dirty.add(i);
    byStatement.set(i, [...(byStatement.get(i) ?? []), entry]);
  }
  const kept: StatementFindings[] = [];
  for (const [i, entries] of byStatement) if (!dirty.has(i)) kept.push({ ...entries[0]!, end: statements[i]!.end });
  const dirtyStatements: Array<{ start: number; end: number }> = [];
  for (const i of [...dirty].sort((a, b) => a - b)) {
    const span = statements[i]!;
    const last = dirtyStatements[dirtyStatements.length - 1];
    if (last && last.end === span.start) last.end = span.end;
    else dirtyStatements.push({ ...span });
  }
  return { carried: kept, dirtyStatements, statements };
}

/** Each change's inserted span, in the coordinates of the final text. */
function dirtySpans(changes: readonly TextChange[]): Array<{ start: number; end: number }> {
  return changes.map((change, i) => {
    const { start, end } = moveSpan({ start: change.startIndex, end: change.newEndIndex }, changes.slice(i + 1));
    return { start, end: Math.max(start, end) };
  });
}

/** An offset after a change; inside the replaced text it snaps to the change's start or new end. */
function moveOffset(offset: number, change: TextChange, snap: 'start' | 'end'): number {
  if (offset < change.startIndex) return offset;
  if (offset >= change.oldEndIndex) return offset + change.newEndIndex - change.oldEndIndex;
  return snap === 'start' ? change.startIndex : change.newEndIndex;
}

/** A span after the changes, its ends snapped outwards where a change replaced them. */
function moveSpan(span: { start: number; end: number }, changes: readonly TextChange[]): { start: number; end: number } {
  let { start, end } = span;
  for (const change of changes) {
    start = moveOffset(start, change, 'start');
    end = moveOffset(end, change, 'end');
  }
  return { start, end };
}

/** A chunk's range after the changes, or undefined when a change touched it (its ends included). */
function moveChunk(chunk: { start: number; end: number }, changes: readonly TextChange[]): { start: number; end: number } | undefined {
  let { start, end } = chunk;
  for (const change of changes) {
    if (change.startIndex <= end && change.oldEndIndex >= start) return undefined;
    start = moveOffset(start, change, 'start');
    end = moveOffset(end, change, 'end');
  }
  return { start, end };
}

/** Copies of the findings with every same-file position moved; undefined when one fell inside a change. */
function moveFindings(findings: readonly Finding[], changes: readonly TextChange[]): Finding[] | undefined {
  // Typing within a line moves nothing on the other lines: most functions keep their findings as they are.
  if (!findings.some((f) => findingMoves(f, changes))) return findings as Finding[];
  let failed = false;
  const pos = (p: Position): Position => {
    let moved = p;
    for (const change of changes) {
      const next = movePosition(moved, change);
      if (!next) {
        failed = true;
        return p;
      }
      moved = next;
    }
    return moved;
  };
  const range = (r: Range): Range => ({ start: pos(r.start), end: pos(r.end) });
  const result = findings.map((f) => ({
    ...f,
    range: range(f.range),
    related: f.related.map((r) => (r.uri === undefined ? { ...r, range: range(r.range) } : r)),
    fixes: f.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((e) => ({ ...e, range: range(e.range) })) })),
  }));
  return failed ? undefined : result;
}

/** Whether some same-file position of the finding is moved (or lost) by the changes. */
function findingMoves(f: Finding, changes: readonly TextChange[]): boolean {
  // Asked of every finding of the file at every keystroke (thousands, in some files): plain loops.
  if (rangeMoves(f.range, changes)) return true;
  for (const r of f.related) if (r.uri === undefined && rangeMoves(r.range, changes)) return true;
  for (const fix of f.fixes) for (const e of fix.edits) if (rangeMoves(e.range, changes)) return true;
  return false;
}

function rangeMoves(r: Range, changes: readonly TextChange[]): boolean {
  for (const change of changes) if (positionMoves(r.start, change) || positionMoves(r.end, change)) return true;
  return false;
}

/** False when `movePosition` would return `p` itself. */
function positionMoves(p: Position, change: TextChange): boolean {
  const { startPosition: s, oldEndPosition: oldEnd, newEndPosition: newEnd } = change;
  if (p.line < s.row || (p.line === s.row && p.character <= s.column)) return false;
  return !(p.line > oldEnd.row && newEnd.row === oldEnd.row);
}

function movePosition(p: Position, change: TextChange): Position | undefined {
  const { startPosition: s, oldEndPosition: oldEnd, newEndPosition: newEnd } = change;
  // The start of a change is unaffected by it (an insertion there goes after the position).
  if (p.line < s.row || (p.line === s.row && p.character <= s.column)) return p;
  const afterEnd = p.line > oldEnd.row || (p.line === oldEnd.row && p.character >= oldEnd.column);
  if (!afterEnd) return undefined;
  if (p.line === oldEnd.row) return { line: newEnd.row, character: newEnd.column + (p.character - oldEnd.column) };
  return { line: p.line + (newEnd.row - oldEnd.row), character: p.character };
}
