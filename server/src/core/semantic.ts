/**
 * The semantic model of one Python file: scopes, the names each scope binds
 * (imports with aliases, functions, classes, assignments, parameters), and the
 * resolution of expressions to what they denote (`t.sleep` -> `time.sleep`,
 * `Path(p).read_text` -> `pathlib.Path.read_text`, `self.commit` -> the
 * `async def commit` of the enclosing class). Built in one iterative pass over
 * the tree, then queried lazily by the rules.
 */
import { escapeRegExp } from './regex';
import type { Node } from 'web-tree-sitter';
import { lastSpanStartingAt, spanHolding } from './spans';
import { absoluteImport, type ExternalFunction, type WorkspaceLink } from './workspace-types';
import {
  ATTRIBUTE_TYPES,
  AWAIT_RESULT_TYPES,
  canonicalName,
  ENTER_TYPES,
  KNOWN_COROUTINES,
  looksLikeClass,
  RETURN_TYPES,
  SUBSCRIPT_TYPES,
} from './knowledge';
import { COMPREHENSION_TYPES, forEachDescendant, hasAsyncKeyword, isAsyncFunction, logicalParent, sameNode, unparenthesize } from './syntax';

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

export interface Scope {
  kind: ScopeKind;
  node: Node;
  parent: Scope | undefined;
  bindings: Map<string, Binding[]>;
  globals: Set<string>;
  nonlocals: Set<string>;
  fn?: FunctionInfo;
  cls?: ClassInfo;
}

export interface FunctionInfo {
  name: string;
  /** `function_definition` or `lambda`. */
  node: Node;
  /** The `def` line's name, or the lambda itself: where related information points. */
  nameNode: Node;
  isAsync: boolean;
  isLambda: boolean;
  decorators: Node[];
  scope: Scope;
  /** The class whose body defines this function directly. */
  owner?: ClassInfo;
}

export interface ClassInfo {
  name: string;
  node: Node;
  scope: Scope;
  bases: Node[];
  /** `self.x = value` assignments in any method, for `self.x.method()` resolution. */
  instanceAttributes: Map<string, { value: Node; scope: Scope }>;
}

export type Binding =
  | { kind: 'import'; at: number; node: Node; target: string }
  | { kind: 'function'; at: number; node: Node; fn: FunctionInfo }
  | { kind: 'class'; at: number; node: Node; cls: ClassInfo }
  | { kind: 'assign'; at: number; node: Node; value: Node | undefined; annotation: Node | undefined; scope: Scope }
  | { kind: 'with'; at: number; node: Node; manager: Node; isAsync: boolean; scope: Scope }
  | { kind: 'parameter'; at: number; node: Node; annotation: Node | undefined; fn: FunctionInfo; index: number };

/** What an expression denotes. */
export type Value =
  /** A module, function or class outside this file, by canonical dotted name. */
  | { kind: 'name'; name: string }
  /** An instance of a type outside this file (`requests.Session`). */
  | { kind: 'instance'; type: string }
  /** A function or method defined in this file. */
  | { kind: 'function'; fn: FunctionInfo }
  /** A class defined in this file, or an instance of it. */
  | { kind: 'class'; cls: ClassInfo }
  | { kind: 'object'; cls: ClassInfo };

export type AsyncLibrary = 'asyncio' | 'trio' | 'anyio';

/** What a call certainly creates a coroutine from (see `SemanticModel.coroutineCallee`). */
export interface CoroutineCallee {
  name: string;
  definition?: FunctionInfo;
  external?: ExternalFunction;
}

export interface SemanticOptions {
  /**
   * Walk the bodies of top-level functions and methods only when a query reaches into them. The
   * language server re-analyzes just the function an edit touched: the rest of a large file is
   * then never built.
   */
  lazyBodies?: boolean;
  /** The text the tree was parsed from: lazy models look into unbuilt bodies with cheap text searches. */
  source?: string;
  /**
   * With lazy bodies: outside functions, do not walk into expressions that cannot bind a name (a
   * call, a string, a literal without `:=`, `lambda` or a comprehension). Scopes and bindings are
   * complete; the skipped nodes are walked by `walkOutsideFully` when rules must visit them.
   */
  shallowOutside?: boolean;
  /**
   * Top-level functions or methods parsed on their own after an edit, by where they start. Each
   * stands in for the copy at that offset in `root`'s tree, which was edited but not re-parsed: while
   * typing stays inside one function, the language server re-parses only that function.
   */
  replacedFunctions?: ReadonlyMap<number, Node>;
  /**
   * The first walk is left to `buildSome`, called until it says the model is built (the language
   * server builds it in slices of a few milliseconds, so that typing is never held up by it).
   */
  inSlices?: boolean;
}

/**
 * A function defined at module level or in a class body (not inside another function): the unit
 * the language server re-analyzes after an edit. `nodes` holds its named nodes in document order,
 * the `def` itself first; decorators belong to the enclosing code.
 */
export interface Chunk {
  readonly node: Node;
  readonly start: number;
  readonly end: number;
  /** Where the body starts (the end when there is none). */
  readonly bodyStart: number;
  readonly nodes: Node[];
  built: boolean;
  readonly fn: FunctionInfo;
}

const NO_BINDINGS: Map<string, Binding[]> = new Map();
const NO_NAMES: Set<string> = new Set();

/** A scope's collection, made its own before its first write (scopes start with shared empty ones). */
function writable<K extends 'bindings' | 'globals' | 'nonlocals'>(scope: Scope, key: K): Scope[K] {
  if (scope[key] === NO_BINDINGS || scope[key] === NO_NAMES) (scope as unknown as Record<K, unknown>)[key] = key === 'bindings' ? new Map() : new Set();
  return scope[key];
}

/** Deep attribute chains and self-referencing assignments stop resolving here. */
const MAX_RESOLVE_DEPTH = 24;

const TRANSPARENT_DECORATORS = new Set([
  'staticmethod',
  'classmethod',
  'abc.abstractmethod',
  'typing.override',
  'typing_extensions.override',
  'functools.cache',
  'functools.lru_cache',
  'functools.wraps',
]);

export class SemanticModel {
  readonly module: Scope;
  /** Top-level modules the file imports (`asyncio`, `trio`, ...). */
  readonly importedModules = new Set<string>();
  private readonly scopes = new Map<number, Scope>();
  private readonly valueCache = new Map<number, Value | null>();
  private readonly calleeCache = new Map<number, string | null>();
  private readonly coroutineCache = new Map<number, CoroutineCallee | null>();
  private readonly resolving = new Set<number>();
  private readonly generatorCache = new Map<number, boolean>();
  /** Classes and attribute names whose assigning methods a lazy model has built (`class id:name`). */
  private readonly scannedAttributes = new Set<string>();
  /** Every `self.x = value` found so far, by class and name: a method's body replaced takes its own out. */
  private readonly allInstanceAttributes = new Map<ClassInfo, Map<string, Array<{ value: Node; scope: Scope }>>>();
  /** Identifiers that bind a name (assignment targets, `as` targets, parameters), as opposed to reading it: ask `isBindingName`. */
  readonly bindingNames = new Set<number>();
  /** Top-level functions and methods, in document order. */
  readonly chunks: Chunk[] = [];
  /** Named nodes outside every chunk, as walked so far (a shallow model skips some expressions). */
  readonly outsideList: Node[] = [];
  /** The module's statements (the root's named children, comments too), in document order. */
  readonly topLevel: Node[] = [];
  /** The comments among `outsideList`, in document order. */
  readonly outsideCommentList: Node[] = [];
  readonly lazy: boolean;
  readonly shallow: boolean;
  private source: string | undefined;
  private replaced: ReadonlyMap<number, Node> | undefined;
  /** False when the text has no `global` anywhere, so no body can rebind a module name. */
  readonly mayDeclareGlobals: boolean;
  /** Whether the tree has a syntax error anywhere (asked once, when first needed). */
  private treeHasError: boolean | undefined;
  /** Where the text has a `global` statement (one search of the file instead of one per function). */
  private globalOffsets: number[] | undefined;
  private readonly builder: ScopeBuilder;
  private readonly chunksOfClass = new Map<number, Chunk[]>();
  private mergedPreorder: Node[] | undefined;
  /** Set when part of the skipped expressions were walked: their nodes were appended out of order. */
  private outsideUnsorted = false;
  private readonly mentionCache = new Map<string, Chunk[]>();
  /** For a full model: where each chunk's nodes are in the pre-order list, as [from, to) indexes. */
  private chunkSpans: Array<[number, number]> | undefined;
  private libraryCache: AsyncLibrary | undefined;
  // tree-sitter finds a node's parent by walking down from the root, so ancestor walks cost
  // O(depth) per step; recording parents, scopes and functions during the one top-down walk
  // keeps every query O(1), even in 10,000-deep code.
  private readonly placed = new Map<number, { parent: Node | undefined; scope: Scope; fn: FunctionInfo | undefined }>();
  private cacheToken: object = {};
  /**
   * What answers about this model that rules' helpers keep between rules are kept by: a new key when
   * the model changes under them (see `replaceFunctionBody`), so that they are worked out again.
   */
  get cacheKey(): object {
    return this.cacheToken;
  }
  readonly parentOf = (node: Node): Node | null => {
    const known = this.placed.get(node.id) ?? (this.lazy ? this.placedAfterBuilding(node) : undefined);
    return known?.parent ?? node.parent;
  };

  constructor(
    readonly root: Node,
    /** The rest of the workspace, when the file is analyzed as part of one. */
    readonly workspace?: WorkspaceLink,
    options: SemanticOptions = {},
  ) {
    this.lazy = !!options.lazyBodies && options.source !== undefined;
    this.shallow = this.lazy && !!options.shallowOutside;
    this.source = options.source;
    this.replaced = options.replacedFunctions?.size ? options.replacedFunctions : undefined;
    this.mayDeclareGlobals = options.source === undefined || options.source.includes('global');
    this.module = this.newScope('module', root, undefined);
    this.builder = new ScopeBuilder(this);
    this.builder.start(root, this.module);
    if (!options.inSlices) this.builder.walk();
  }

  /** With `inSlices`: walks on until `stop()` says so (asked every few hundred nodes); true once the model is built. */
  buildSome(stop: () => boolean): boolean {
    return this.builder.walk(stop);
  }

  /**
   * Every named node, in document order (pre-order): the rule runner walks this instead of the
   * tree again. On a lazy model this builds every body: prefer the chunks.
   */
  get preorder(): Node[] {
    if (!this.lazy) return this.outsideList;
    if (!this.mergedPreorder) {
      for (const chunk of this.chunks) this.buildChunk(chunk);
      this.mergedPreorder = mergeByStart(this.outsideChunks, this.chunks);
    }
    return this.mergedPreorder;
  }

  /** The async library the file's messages should speak of. */
  get library(): AsyncLibrary {
    if (this.libraryCache) return this.libraryCache;
    // An import inside a function body counts too: build the bodies that may hold one.
    if (this.lazy) this.buildChunksContaining('import', ['trio', 'anyio', 'asyncio']);
    const imported = this.importedModules;
    this.libraryCache = imported.has('trio') ? 'trio' : imported.has('anyio') && !imported.has('asyncio') ? 'anyio' : 'asyncio';
    return this.libraryCache;
  }

  /** True when `node` is an identifier that binds a name (an assignment or `as` target, a parameter). */
  isBindingName(node: Node): boolean {
    if (this.lazy && !this.placed.has(node.id)) this.placedAfterBuilding(node);
    return this.bindingNames.has(node.id);
  }

  /** Records `self.x = value` in a method of `cls`: the first assignment in the file wins, whatever order lazy bodies are built in. */
  recordInstanceAttribute(cls: ClassInfo, attr: string, value: Node, scope: Scope): void {
    let byName = this.allInstanceAttributes.get(cls);
    if (!byName) this.allInstanceAttributes.set(cls, (byName = new Map()));
    const all = byName.get(attr);
    if (all) all.push({ value, scope });
    else byName.set(attr, [{ value, scope }]);
    const known = cls.instanceAttributes.get(attr);
    if (!known || value.startIndex < known.value.startIndex) setInDocumentOrder(cls.instanceAttributes, attr, { value, scope });
  }

  /** Takes out the instance attributes that the nodes `ids` (a method's old body) assigned; another method's then count. */
  private forgetInstanceAttributes(cls: ClassInfo, ids: ReadonlySet<number>): void {
    for (const [attr, all] of this.allInstanceAttributes.get(cls) ?? []) {
      if (!all.some((entry) => ids.has(entry.value.id))) continue;
      const left = all.filter((entry) => !ids.has(entry.value.id));
      this.allInstanceAttributes.get(cls)!.set(attr, left);
      const first = left.reduce<{ value: Node; scope: Scope } | undefined>((best, entry) => (!best || entry.value.startIndex < best.value.startIndex ? entry : best), undefined);
      if (first) setInDocumentOrder(cls.instanceAttributes, attr, first);
      else cls.instanceAttributes.delete(attr);
    }
  }

  /** `self.x = value` assignments of a class's methods, by attribute name. */
  instanceAttributesOf(cls: ClassInfo): ClassInfo['instanceAttributes'] {
    if (this.lazy) for (const chunk of this.chunksOfClass.get(cls.node.id) ?? []) this.buildChunk(chunk);
    return cls.instanceAttributes;
  }

  /** The function parsed on its own that stands in for `node`, a stale copy in the edited tree (see `SemanticOptions.replacedFunctions`). */
  replacementOf(node: Node): Node | undefined {
    if (!this.replaced || node.type !== 'function_definition') return undefined;
    const replacement = this.replaced.get(node.startIndex);
    return replacement && !sameNode(replacement, node) ? replacement : undefined;
  }

  /**
   * Carries this lazy model over to the text after an edit inside the body of one function (`chunk`;
   * other functions parsed alone before stand in for theirs already), `node` being the function parsed
   * alone from the new text: the model's nodes of the rest are kept nodes, moved by the edit already (see kept-root.ts),
   * so only the offsets it holds move (`move`), the function is set up afresh (its body unbuilt), and
   * every answer kept so far is forgotten. Rebuilding the model at every keystroke was most of an edit's
   * cost. The instance attributes its old body gave its class are taken out (other methods' assignments
   * of them count again). False, with the model left unusable (build a new one), where the function's
   * old body put something else into the rest of the model: an import, a `global` or `nonlocal` name
   * (the caller checks the text for those).
   */
  replaceFunctionBody(chunk: Chunk, node: Node, source: string, move: (offset: number) => number): boolean {
    const index = this.chunks.indexOf(chunk);
    if (!this.lazy || index < 0 || !(chunk instanceof LazyChunk)) return false;
    const oldIds = new Set<number>(chunk.nodes.map((n) => n.id));
    oldIds.add(chunk.node.id);
    const owner = chunk.fn.owner;
    const placement = this.placed.get(chunk.node.id);
    this.moveOffsets(source, move, chunk, oldIds);
    if (owner) this.forgetInstanceAttributes(owner, oldIds);
    for (const id of oldIds) {
      this.placed.delete(id);
      this.scopes.delete(id);
      this.bindingNames.delete(id);
    }
    const replaced = new Map(this.replaced ?? []);
    replaced.set(node.startIndex, node);
    this.replaced = replaced;
    const fresh = this.builder.replaceFunction(chunk, node, placement?.parent);
    if (!fresh) return false;
    this.chunks[index] = fresh;
    if (owner) {
      const list = this.chunksOfClass.get(owner.node.id);
      const at = list?.indexOf(chunk) ?? -1;
      if (list && at >= 0) list[at] = fresh;
    }
    return true;
  }

  /**
   * Takes in an edit to a module-level import or assignment statement that left its nodes as they
   * were (a name typed or erased inside it): the names it bound go, the names it binds now come, in
   * document order. The caller has moved the offsets over the edit (`moveOffsets`, which forgets
   * every answer kept so far). `importedModules` keeps the modules an import imported before: only
   * the async libraries are read from it, and an edit that names one of them is not for this.
   */
  rebindStatement(statement: Node): void {
    const { startIndex: start, endIndex: end } = statement;
    const within = (b: Binding) => b.at >= start && b.at <= end;
    const bindings = this.module.bindings;
    for (const [name, list] of bindings) {
      if (!list.some(within)) continue;
      const kept = list.filter((b) => !within(b));
      if (kept.length > 0) bindings.set(name, kept);
      else bindings.delete(name);
    }
    this.builder.rebind(statement, this.module);
    // Appended: back in document order, which `lookup` reads.
    for (const list of this.module.bindings.values()) if (list.some(within)) list.sort((a, b) => a.at - b.at);
  }

  /**
   * Carries this lazy model over to the text after an edit that it does not take in: inside the body
   * of a function being typed that does not parse yet (its chunk keeps the nodes of its last parse,
   * moved, until `replaceFunctionBody` brings the function in again). Only the offsets move; every
   * answer kept so far is forgotten. The nodes are kept nodes, moved by the edit already.
   */
  moveOffsets(source: string, move: (offset: number) => number, except?: Chunk, exceptScopes?: ReadonlySet<number>): void {
    this.source = source;
    for (const other of this.chunks) if (other !== except && other instanceof LazyChunk) other.move(move);
    for (const [id, scope] of this.scopes) {
      if (exceptScopes?.has(id)) continue;
      for (const list of scope.bindings.values()) for (const binding of list) binding.at = move(binding.at);
    }
    // Functions parsed alone stand in for their stale copies by where they start, which moves too.
    if (this.replaced) this.replaced = new Map([...this.replaced].map(([at, node]) => [move(at), node]));
    this.cacheToken = {};
    this.valueCache.clear();
    this.calleeCache.clear();
    this.coroutineCache.clear();
    this.generatorCache.clear();
    this.mentionCache.clear();
    this.scannedAttributes.clear();
    this.mergedPreorder = undefined;
    this.chunkSpans = undefined;
    this.globalOffsets = undefined;
    this.treeHasError = undefined;
    this.libraryCache = undefined;
  }

  /**
   * `forEachDescendant` over the file as it is now: a replaced function is walked in its own tree.
   * Walks that may cross functions (from the module, or from a statement holding a `def`) go through here.
   */
  forEachDescendant(root: Node, visit: (node: Node) => boolean | void): void {
    if (!this.replaced) return forEachDescendant(root, visit);
    forEachDescendant(root, visit, (node) => this.replacementOf(node));
  }

  /** The root of the tree holding the code at `row` (the stand-in's own tree inside a replaced function). */
  rootForRow(row: number): Node {
    for (const replacement of this.replaced?.values() ?? []) {
      if (replacement.startPosition.row <= row && row <= replacement.endPosition.row) return replacement.tree.rootNode;
    }
    return this.root;
  }

  // ---------------------------------------------------------------- lazy bodies

  /** Named nodes outside every chunk, in document order (all named nodes when bodies are not lazy). */
  get outsideChunks(): Node[] {
    this.walkOutsideFully();
    return this.outsideList;
  }

  /** Comment nodes outside every chunk (a shallow model has not walked those inside skipped expressions). */
  outsideComments(): Node[] {
    return this.outsideCommentList;
  }

  /** Walks the expressions a shallow model skipped outside functions (rules are about to visit that code). */
  walkOutsideFully(): void {
    if (this.builder.walkSkipped(() => true) || this.outsideUnsorted) {
      // Stable: a skipped node and its first child start together, and the node was listed first.
      this.outsideList.sort((a, b) => a.startIndex - b.startIndex);
      this.outsideCommentList.sort((a, b) => a.startIndex - b.startIndex);
      this.outsideUnsorted = false;
      this.mergedPreorder = undefined;
    }
  }

  /**
   * The named nodes outside every chunk that start within one of `ranges` (sorted, not
   * overlapping), in document order, comments left out: what rules visit when an edit changed only
   * those statements outside functions. A shallow model walks just the expressions it skipped there.
   */
  outsideNodesWithin(ranges: ReadonlyArray<{ start: number; end: number }>): Node[] {
    const within = (offset: number) => spanHolding(ranges, offset) !== undefined;
    if (this.builder.walkSkipped((node) => within(node.startIndex))) {
      this.outsideUnsorted = true;
      this.mergedPreorder = undefined;
    }
    const found = this.outsideList.filter((n) => within(n.startIndex) && n.type !== 'comment');
    // Stable, as in `walkOutsideFully`.
    return found.sort((a, b) => a.startIndex - b.startIndex);
  }

  /** Registers a top-level function or method; the builder calls it before walking the `def`. */
  addChunk(chunk: Chunk): void {
    this.chunks.push(chunk);
    const owner = chunk.fn.owner;
    if (owner) {
      const list = this.chunksOfClass.get(owner.node.id);
      if (list) list.push(chunk);
      else this.chunksOfClass.set(owner.node.id, [chunk]);
    }
  }

  /** Whether `text` occurs in the chunk's source (a cheap test before building a body). */
  chunkMentions(chunk: Chunk, text: string): boolean {
    if (this.source === undefined) return true;
    // A slice is a view in V8: the search stays inside the chunk instead of running on to the end of the file.
    return this.source.slice(chunk.start, chunk.end).includes(text);
  }

  /** The name of the `def` starting at `start` and whether it is `async`, read from the text; undefined when the text does not tell plainly. */
  functionHeader(start: number): { name: string; isAsync: boolean } | undefined {
    if (this.source === undefined) return undefined;
    DEF_HEADER.lastIndex = start;
    const match = DEF_HEADER.exec(this.source);
    return match ? { name: match[2]!, isAsync: match[1] !== undefined } : undefined;
  }

  /** Whether `text` occurs in the function's source (true when the source is unknown). */
  functionMentions(fn: FunctionInfo, text: string): boolean {
    return this.source === undefined || this.source.slice(fn.node.startIndex, fn.node.endIndex).includes(text);
  }

  /**
   * Whether walking the chunk's `def` outside its body may bind a name in the enclosing scope (which
   * a lazy model must know before any body is built): a `:=` before the body, or a syntax error in
   * the `def` (error recovery can leave a whole statement beside the body).
   */
  headerMayBind(chunk: Chunk): boolean {
    if (this.source === undefined) return true;
    if ((this.treeHasError ??= this.root.hasError) && chunk.node.hasError) return true;
    return this.source.slice(chunk.start, chunk.end).includes(':=') && this.source.slice(chunk.start, chunk.bodyStart).includes(':=');
  }

  /** Whether the chunk's source matches `pattern`. */
  chunkMatches(chunk: Chunk, pattern: RegExp): boolean {
    return this.source === undefined || pattern.test(this.source.slice(chunk.start, chunk.end));
  }

  /** Whether the chunk's source may hold a `global` statement (true when the text is unknown). */
  chunkDeclaresGlobals(chunk: Chunk): boolean {
    const source = this.source;
    if (source === undefined) return true;
    if (!this.globalOffsets) {
      this.globalOffsets = [];
      for (let at = source.indexOf('global'); at >= 0; at = source.indexOf('global', at + 6)) {
        if (isGlobalStatementAt(source, at)) this.globalOffsets.push(at);
      }
    }
    return this.globalOffsets.some((at) => chunk.start <= at && at < chunk.end);
  }

  /** Whether the file's text has one of `names` as a whole name anywhere, not inside a longer one (true when the text is unknown). */
  mentionsAsName(names: readonly string[]): boolean {
    const source = this.source;
    // One pass of one pattern over the file (a rule asks at every keystroke; a search per name, and a
    // test of the characters around every occurrence of a part of a longer name, took milliseconds).
    return source === undefined || wholeNamesPattern(names).test(source);
  }

  /** Whether the file's text contains `text` anywhere (true when the text is unknown). */
  mentions(text: string): boolean {
    return this.source === undefined || this.source.includes(text);
  }

  /**
   * The named nodes, in document order, of every chunk that mentions one of `words` or an alias of
   * one at module or class level (`from threading import Thread as T`, `T = threading.Thread`), and
   * of the code outside the chunks if it mentions one of `words`. A search for calls of known APIs
   * needs no other node.
   */
  nodesMentioning(words: readonly string[], wholeWords = false): Node[] {
    // Aliases are defined outside functions (or with `global`), in text that mentions the word itself.
    const outside = words.some((w) => this.outsideMentions(w));
    if (this.lazy) return mergeByStart(outside ? this.outsideChunks : [], this.chunksMentioning(words, true, wholeWords));
    if (this.source === undefined) return this.preorder;
    // A full model's pre-order list: the runs of the chunks that mention a word, and the code between chunks if it does.
    const nodes = this.preorder;
    const spans = (this.chunkSpans ??= chunkSpansIn(nodes, this.chunks));
    const mentioning = new Set(this.chunksMentioning(words, false, wholeWords));
    const found: Node[] = [];
    let next = 0;
    this.chunks.forEach((chunk, i) => {
      const [from, to] = spans[i]!;
      if (outside) for (let k = next; k < from; k++) found.push(nodes[k]!);
      if (mentioning.has(chunk)) for (let k = from; k < to; k++) found.push(nodes[k]!);
      next = to;
    });
    if (outside) for (let k = next; k < nodes.length; k++) found.push(nodes[k]!);
    return found;
  }

  /** The chunk's named nodes, in document order (its body built first on a lazy model). */
  nodesOfChunk(chunk: Chunk): Node[] {
    if (this.lazy) {
      this.buildChunk(chunk);
      return chunk.nodes;
    }
    const nodes = this.preorder;
    const at = lastSpanStartingAt(this.chunks, chunk.start);
    const [from, to] = (this.chunkSpans ??= chunkSpansIn(nodes, this.chunks))[at] ?? [0, 0];
    return nodes.slice(from, to);
  }

  /** Whether `text` occurs in the source outside every chunk (decorators count as outside; true when the text is unknown). */
  outsideMentions(text: string): boolean {
    const source = this.source;
    if (source === undefined) return true;
    let from = 0;
    for (let at = source.indexOf(text, from); at >= 0; at = source.indexOf(text, from)) {
      const chunk = this.chunkAtOffset(at);
      if (!chunk || at + text.length > chunk.end) return true;
      from = chunk.end;
    }
    return false;
  }

  /**
   * The chunks that mention one of `words` or an alias of one (see `withAliases`) (built unless
   * `build` is false); see `nodesMentioning`. With `wholeWords`, only as a whole name (`_task` is not
   * in `self._tasks`).
   */
  chunksMentioning(words: readonly string[], build = true, wholeWords = false): Chunk[] {
    const key = `${wholeWords ? 'w' : 's'}${words.join('\u0000')}`;
    let found = this.mentionCache.get(key);
    if (!found) {
      const all = this.withAliases(words);
      const source = this.source;
      const mentions = wholeWords && source !== undefined ? (c: Chunk, w: string) => mentionsName(source, c.start, c.end, w) : (c: Chunk, w: string) => this.chunkMentions(c, w);
      found = this.chunks.filter((c) => all.some((w) => mentions(c, w)));
      this.mentionCache.set(key, found);
    }
    if (build) for (const chunk of found) this.buildChunk(chunk);
    return found;
  }

  /** `words` and the names bound at module or class level to something that mentions one of them (`from threading import Thread as T`, `T = threading.Thread`). */
  private withAliases(words: readonly string[]): string[] {
    const all = new Set(words);
    for (const scope of [this.module, ...this.classScopes()]) {
      for (const [name, bindings] of scope.bindings) {
        for (const b of bindings) {
          const said = b.kind === 'import' ? b.target : b.kind === 'assign' && b.value ? b.value.text : '';
          // Error recovery can bind a missing name, which is empty.
          if (said && name && words.some((w) => w && said.includes(w))) all.add(name);
        }
      }
    }
    return [...all];
  }

  /** The scopes of the code outside functions: the module's and every class body's. */
  outsideScopes(): Scope[] {
    return [this.module, ...this.classScopes()];
  }

  /** An import's target as an absolute name (`.db` from `pkg.api` is `pkg.db`); undefined when it climbs above the top package. */
  absoluteTarget(target: string): string | undefined {
    return target.startsWith('.') && this.workspace ? absoluteImport(target, this.workspace.moduleName, this.workspace.isPackage) : target;
  }

  private classScopes(): Scope[] {
    return [...this.scopes.values()].filter((s) => s.kind === 'class');
  }

  /**
   * Outside every chunk, the named nodes whose text holds one of `words` or an alias of one (see
   * `withAliases`), in document order: the ancestors of each occurrence. A search for calls of known
   * APIs in the code outside functions needs no other node (a lazy model walks none of the rest).
   * Without the source text: every node walked outside chunks.
   */
  outsideNodesContaining(words: readonly string[]): Node[] {
    if (this.source === undefined) return this.outsideChunks;
    const source = this.source;
    const found = new Map<number, Node>();
    for (const word of this.withAliases(words)) {
      // An empty word (the name of a function whose name is missing) would be found at every offset.
      if (!word) continue;
      let from = 0;
      for (let at = source.indexOf(word, from); at >= 0; at = source.indexOf(word, from)) {
        from = at + word.length;
        const chunk = this.chunkAtOffset(at);
        if (chunk && at + word.length <= chunk.end) {
          from = chunk.end;
          continue;
        }
        for (let node: Node | null = this.root.descendantForIndex(at, at + word.length); node; node = this.parentOf(node)) {
          if (node.isNamed && node.endIndex >= at + word.length && !found.has(node.id)) found.set(node.id, node);
        }
      }
    }
    // Document order, an ancestor before its first child (pre-order).
    return [...found.values()].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  }

  /** Builds the bodies that mention `text` and, when `anyOf` is given, one of those words too. */
  buildChunksContaining(text: string, anyOf?: readonly string[]): void {
    for (const chunk of this.chunks) {
      if (chunk.built || !this.chunkMentions(chunk, text)) continue;
      if (anyOf && !anyOf.some((word) => this.chunkMentions(chunk, word))) continue;
      this.buildChunk(chunk);
    }
  }

  buildChunk(chunk: Chunk): void {
    if (chunk.built) return;
    chunk.built = true;
    this.mergedPreorder = undefined;
    // `library` is not reset: it built every body that could import an async library before answering.
    this.builder.buildBody(chunk);
  }

  /** The chunk whose `def` holds `node`, if any (binary search over the document-ordered chunks). */
  chunkAt(node: Node): Chunk | undefined {
    const found = this.chunkAtOffset(node.startIndex);
    return found && node.endIndex <= found.end ? found : undefined;
  }

  /** The last chunk starting at or before `start`, if `start` is inside it (while the walk goes on: of the chunks registered so far). */
  chunkAtOffset(start: number): Chunk | undefined {
    return spanHolding(this.chunks, start);
  }

  /** The placement of a node in a body not built yet, after building that body. */
  private placedAfterBuilding(node: Node): { parent: Node | undefined; scope: Scope; fn: FunctionInfo | undefined } | undefined {
    const chunk = this.chunkAt(node);
    if (!chunk || chunk.built) return undefined;
    this.buildChunk(chunk);
    return this.placed.get(node.id);
  }

  newScope(kind: ScopeKind, node: Node, parent: Scope | undefined): Scope {
    // Most function scopes of a lazy model are never built: they share empty collections until first written (see `writable`).
    const scope: Scope = { kind, node, parent, bindings: NO_BINDINGS, globals: NO_NAMES, nonlocals: NO_NAMES };
    this.scopes.set(node.id, scope);
    return scope;
  }

  scopeOfNode(node: Node): Scope | undefined {
    const scope = this.scopes.get(node.id);
    if (scope || !this.lazy || this.placed.has(node.id)) return scope;
    this.placedAfterBuilding(node);
    return this.scopes.get(node.id);
  }

  /** Called by the builder for every named node, with the scope and function it is evaluated in. */
  record(node: Node, parent: Node | undefined, scope: Scope, fn: FunctionInfo | undefined): void {
    const known = this.placed.get(node.id);
    if (!known) {
      this.placed.set(node.id, { parent, scope, fn });
    } else if (parent && !known.parent) {
      known.parent = parent;
    }
  }

  /** The innermost scope in which `node` is evaluated. */
  scopeAt(node: Node): Scope {
    const known = this.placed.get(node.id) ?? (this.lazy ? this.placedAfterBuilding(node) : undefined);
    if (known) return known.scope;
    let child = node;
    for (let parent = this.parentOf(node); parent; child = parent, parent = this.parentOf(parent)) {
      if (this.bodyOwns(parent, child)) return this.scopes.get(parent.id) ?? this.module;
    }
    return this.module;
  }

  /**
   * The function whose body runs `node`: the nearest enclosing `def` or `lambda`.
   * A class body in between means `node` runs at class-creation time, not in the function.
   */
  enclosingFunction(node: Node): FunctionInfo | undefined {
    const known = this.placed.get(node.id) ?? (this.lazy ? this.placedAfterBuilding(node) : undefined);
    if (known) return known.fn;
    let child = node;
    for (let parent = this.parentOf(node); parent; child = parent, parent = this.parentOf(parent)) {
      if (parent.type === 'class_definition' && this.bodyOwns(parent, child)) return undefined;
      if ((parent.type === 'function_definition' || parent.type === 'lambda') && this.bodyOwns(parent, child)) {
        return this.scopes.get(parent.id)?.fn;
      }
    }
    return undefined;
  }

  /** The `async def` that `node` runs in directly, if any (a nested `def` or `lambda` resets it). */
  asyncFunctionOf(node: Node): FunctionInfo | undefined {
    const fn = this.enclosingFunction(node);
    return fn?.isAsync ? fn : undefined;
  }

  private bodyOwns(owner: Node, child: Node): boolean {
    switch (owner.type) {
      case 'module':
        return true;
      case 'function_definition':
      case 'lambda':
        return sameNode(owner.childForFieldName('body'), child) || sameNode(owner.childForFieldName('parameters'), child);
      case 'class_definition':
        return sameNode(owner.childForFieldName('body'), child);
      default:
        return COMPREHENSION_TYPES.has(owner.type);
    }
  }

  /**
   * True when the call's value is awaited right away (`await f()`, `async for x in f()`).
   * `async with f()` is not: `f()` itself still runs synchronously before `__aenter__`.
   */
  isAwaited(call: Node): boolean {
    const { parent, child } = logicalParent(call, this.parentOf);
    if (!parent) return false;
    if (parent.type === 'await') return true;
    return parent.type === 'for_statement' && sameNode(parent.childForFieldName('right'), child) && hasAsyncKeyword(parent);
  }

  // ---------------------------------------------------------------- names

  /** The binding a name refers to at `node`, following Python's LEGB rule; undefined when unbound. */
  lookup(name: string, node: Node): Binding | undefined {
    const useScope = this.scopeAt(node);
    let scope: Scope | undefined = useScope;
    if (useScope.globals.has(name)) scope = this.module;
    for (; scope; scope = scope.parent) {
      // Class bodies are not enclosing scopes for the functions inside them.
      if (scope.kind === 'class' && scope !== useScope) continue;
      if (scope.nonlocals.has(name) && scope !== this.module) continue;
      const candidates = scope.bindings.get(name);
      if (candidates && candidates.length > 0) return pickBinding(candidates, node.startIndex);
    }
    return undefined;
  }

  /** Canonical dotted name of an expression that denotes a module, function, class or method. */
  qualifiedName(expr: Node): string | undefined {
    const value = this.resolve(expr);
    return value?.kind === 'name' ? value.name : undefined;
  }

  /** Canonical dotted name of what a call calls (`requests.Session.get` for `s.get(...)`). */
  calleeName(call: Node): string | undefined {
    // Most rules ask about every call: the answer is kept per call.
    const cached = this.calleeCache.get(call.id);
    if (cached !== undefined) return cached ?? undefined;
    const fn = call.childForFieldName('function');
    const name = fn ? this.qualifiedName(fn) : undefined;
    this.calleeCache.set(call.id, name ?? null);
    return name;
  }

  resolve(expr: Node, depth = 0): Value | undefined {
    const cached = this.valueCache.get(expr.id);
    if (cached !== undefined) return cached ?? undefined;
    if (depth > MAX_RESOLVE_DEPTH || this.resolving.has(expr.id)) return undefined;
    this.resolving.add(expr.id);
    let value: Value | undefined;
    try {
      value = this.resolveUncached(expr, depth + 1);
    } finally {
      this.resolving.delete(expr.id);
    }
    this.valueCache.set(expr.id, value ?? null);
    return value;
  }

  private resolveUncached(expr: Node, depth: number): Value | undefined {
    switch (expr.type) {
      case 'parenthesized_expression':
        return this.resolve(unparenthesize(expr), depth);
      case 'identifier':
        return this.resolveName(expr, depth);
      case 'attribute': {
        const object = expr.childForFieldName('object');
        const attr = expr.childForFieldName('attribute')?.text;
        if (!object || !attr) return undefined;
        return this.attributeOf(this.resolve(object, depth), attr, depth);
      }
      case 'call':
        return this.callResult(expr, depth);
      case 'await': {
        const inner = expr.namedChildren[0];
        const call = inner ? unparenthesize(inner) : undefined;
        if (call?.type !== 'call') return undefined;
        const name = this.calleeName(call);
        const type = name ? AWAIT_RESULT_TYPES.get(name) : undefined;
        return type ? { kind: 'instance', type } : undefined;
      }
      case 'subscript': {
        const value = expr.childForFieldName('value');
        const base = value ? this.resolve(value, depth) : undefined;
        const type = base?.kind === 'instance' ? SUBSCRIPT_TYPES.get(base.type) : undefined;
        return type ? { kind: 'instance', type } : undefined;
      }
      case 'binary_operator': {
        // `path / "name"` is still a path.
        const left = expr.childForFieldName('left');
        const base = left ? this.resolve(left, depth) : undefined;
        return base?.kind === 'instance' && base.type === 'pathlib.Path' && expr.childForFieldName('operator')?.type === '/'
          ? base
          : undefined;
      }
      default:
        return undefined;
    }
  }

  private resolveName(identifier: Node, depth: number): Value | undefined {
    const name = identifier.text;
    if (name === 'super') return undefined;
    const binding = this.lookup(name, identifier);
    // An unbound name is taken as the module or builtin of that name, as flake8-async does.
    if (!binding) return { kind: 'name', name: canonicalName(name) };
    return this.bindingValue(binding, depth);
  }

  bindingValue(binding: Binding, depth: number): Value | undefined {
    switch (binding.kind) {
      case 'import': {
        const target = this.absoluteTarget(binding.target);
        return target ? { kind: 'name', name: canonicalName(target) } : undefined;
      }
      case 'function':
        return { kind: 'function', fn: binding.fn };
      case 'class':
        return { kind: 'class', cls: binding.cls };
      case 'assign':
        if (binding.annotation) {
          const declared = this.instanceOfAnnotation(binding.annotation, depth);
          if (declared) return declared;
        }
        return binding.value ? this.resolve(binding.value, depth) : undefined;
      case 'with': {
        const manager = this.resolve(binding.manager, depth);
        const managerCall = unparenthesize(binding.manager);
        const enterType = managerCall.type === 'call' ? ENTER_TYPES.get(this.calleeName(managerCall) ?? '') : undefined;
        if (enterType) return { kind: 'instance', type: enterType };
        // Context managers nearly always return themselves from __enter__.
        return manager?.kind === 'instance' || manager?.kind === 'object' ? manager : undefined;
      }
      case 'parameter':
        return this.parameterValue(binding, depth);
    }
  }

  private parameterValue(binding: Extract<Binding, { kind: 'parameter' }>, depth: number): Value | undefined {
    if (binding.annotation) return this.instanceOfAnnotation(binding.annotation, depth);
    const { fn, index } = binding;
    if (index !== 0 || !fn.owner || fn.isLambda) return undefined;
    const decorators = fn.decorators.map((d) => this.decoratorName(d));
    if (decorators.includes('staticmethod')) return undefined;
    if (decorators.includes('classmethod')) return { kind: 'class', cls: fn.owner };
    return { kind: 'object', cls: fn.owner };
  }

  /** The value a parameter or variable annotated with `annotation` holds. */
  private instanceOfAnnotation(annotation: Node, depth: number): Value | undefined {
    let expr: Node | null = annotation.type === 'type' ? annotation.namedChildren[0] : annotation;
    if (!expr) return undefined;
    if (expr.type === 'string') return undefined;
    // `Optional[T]` and `T | None` are T for our purposes.
    if (expr.type === 'generic_type') {
      const head = expr.namedChildren[0];
      const params = expr.namedChildren[1];
      if (head?.text === 'Optional' && params) expr = params.namedChildren[0]?.namedChildren[0] ?? null;
      else expr = head ?? null;
    } else if (expr.type === 'binary_operator') {
      const left = expr.childForFieldName('left');
      const right = expr.childForFieldName('right');
      expr = left?.type === 'none' ? right : left;
    }
    if (!expr) return undefined;
    if (expr.type === 'type') expr = expr.namedChildren[0] ?? null;
    if (!expr) return undefined;
    const value = this.resolve(expr, depth);
    if (value?.kind === 'name') return { kind: 'instance', type: value.name };
    if (value?.kind === 'class') return { kind: 'object', cls: value.cls };
    return undefined;
  }

  private attributeOf(base: Value | undefined, attr: string, depth: number): Value | undefined {
    if (!base) return undefined;
    switch (base.kind) {
      case 'name':
        return { kind: 'name', name: canonicalName(`${base.name}.${attr}`) };
      case 'instance': {
        const member = `${base.type}.${attr}`;
        const attrType = ATTRIBUTE_TYPES.get(member) ?? ATTRIBUTE_TYPES.get(`${base.type}.*`);
        if (attrType && !RETURN_TYPES.has(member) && !KNOWN_COROUTINES.has(member)) {
          return { kind: 'instance', type: attrType };
        }
        return { kind: 'name', name: member };
      }
      case 'class':
      case 'object': {
        const method = this.findMethod(base.cls, attr);
        if (method) return { kind: 'function', fn: method };
        if (base.kind === 'object') {
          const assigned = this.findInstanceAttribute(base.cls, attr);
          if (assigned) return this.resolve(assigned.value, depth);
        }
        return this.inheritedFromWorkspace(base.cls, attr);
      }
      case 'function':
        return undefined;
    }
  }

  private callResult(call: Node, depth: number): Value | undefined {
    const fnNode = call.childForFieldName('function');
    const callee = fnNode ? this.resolve(fnNode, depth) : undefined;
    if (!callee) return undefined;
    if (callee.kind === 'class') return { kind: 'object', cls: callee.cls };
    if (callee.kind !== 'name') return undefined;
    const returned = RETURN_TYPES.get(callee.name);
    if (returned) return { kind: 'instance', type: returned };
    if (looksLikeClass(callee.name) || this.workspace?.isClass(callee.name)) return { kind: 'instance', type: callee.name };
    return undefined;
  }

  /** A method that a class of this file inherits from a class of another workspace module. */
  private inheritedFromWorkspace(cls: ClassInfo, attr: string, seen = new Set<number>()): Value | undefined {
    if (!this.workspace || seen.has(cls.node.id)) return undefined;
    seen.add(cls.node.id);
    for (const base of cls.bases) {
      const baseValue = this.resolve(base);
      if (baseValue?.kind === 'class') {
        const found = this.inheritedFromWorkspace(baseValue.cls, attr, seen);
        if (found) return found;
      } else if (baseValue?.kind === 'name' && this.workspace.findFunction(`${baseValue.name}.${attr}`)) {
        return { kind: 'name', name: `${baseValue.name}.${attr}` };
      }
    }
    return undefined;
  }

  /** A method of a class of this file, looked up through its same-file base classes. */
  findMethod(cls: ClassInfo, name: string, seen = new Set<number>()): FunctionInfo | undefined {
    if (seen.has(cls.node.id)) return undefined;
    seen.add(cls.node.id);
    const own = cls.scope.bindings.get(name);
    const last = own?.[own.length - 1];
    if (last) return last.kind === 'function' ? last.fn : undefined;
    for (const base of cls.bases) {
      const baseValue = this.resolve(base);
      if (baseValue?.kind === 'class') {
        const found = this.findMethod(baseValue.cls, name, seen);
        if (found) return found;
      }
    }
    return undefined;
  }

  private findInstanceAttribute(cls: ClassInfo, name: string, seen = new Set<number>()): { value: Node; scope: Scope } | undefined {
    if (seen.has(cls.node.id)) return undefined;
    seen.add(cls.node.id);
    // Only a method with `.name =` (or `.name: T =`) in it can assign it. One scan per class and
    // name builds them all (up to the first assignment): rules ask again for every `self.name`.
    const scan = `${cls.node.id}:${name}`;
    if (this.lazy && !this.scannedAttributes.has(scan)) {
      this.scannedAttributes.add(scan);
      const assigns = new RegExp(`\\.${name}\\s*(?::[^=\\n]*)?=(?!=)`);
      for (const chunk of this.chunksOfClass.get(cls.node.id) ?? []) {
        // Methods after the first assignment known so far cannot hold an earlier one.
        const known = cls.instanceAttributes.get(name);
        if (known && known.value.startIndex < chunk.start) break;
        if (!chunk.built && this.chunkMatches(chunk, assigns)) this.buildChunk(chunk);
      }
    }
    const own = cls.instanceAttributes.get(name);
    if (own) return own;
    for (const base of cls.bases) {
      const baseValue = this.resolve(base);
      if (baseValue?.kind === 'class') {
        const found = this.findInstanceAttribute(baseValue.cls, name, seen);
        if (found) return found;
      }
    }
    return undefined;
  }

  decoratorName(decorator: Node): string | undefined {
    let expr = decorator.namedChildren.find((c) => c.type !== 'comment');
    if (!expr) return undefined;
    if (expr.type === 'call') expr = expr.childForFieldName('function') ?? expr;
    return this.qualifiedName(expr) ?? expr.text;
  }

  // ---------------------------------------------------------------- coroutines

  /** True when a function body contains `yield` (an `async def` with `yield` is an async generator, not a coroutine). */
  isGenerator(fn: FunctionInfo): boolean {
    const cached = this.generatorCache.get(fn.node.id);
    if (cached !== undefined) return cached;
    let found = false;
    const body = fn.node.childForFieldName('body');
    if (body) {
      const stack: Node[] = [body];
      while (stack.length > 0 && !found) {
        const node = stack.pop()!;
        if (node.type === 'yield') found = true;
        else if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') continue;
        else for (const c of node.namedChildren) stack.push(c);
      }
    }
    this.generatorCache.set(fn.node.id, found);
    return found;
  }

  /**
   * What a call creates a coroutine from, when it certainly does: an `async def`
   * of this file (not an async generator, no decorator that may change it) or a
   * known library coroutine function.
   */
  coroutineCallee(call: Node): CoroutineCallee | undefined {
    // Several rules ask about every call: the answer is kept per call.
    const cached = this.coroutineCache.get(call.id);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.findCoroutineCallee(call);
    this.coroutineCache.set(call.id, found ?? null);
    return found;
  }

  private findCoroutineCallee(call: Node): CoroutineCallee | undefined {
    const fnNode = call.childForFieldName('function');
    if (!fnNode) return undefined;
    const callee = this.resolve(fnNode);
    if (!callee) return undefined;
    if (callee.kind === 'function') {
      const fn = callee.fn;
      if (!fn.isAsync || this.isGenerator(fn)) return undefined;
      const transparent = fn.decorators.every((d) => TRANSPARENT_DECORATORS.has(this.decoratorName(d) ?? ''));
      return transparent ? { name: fn.name, definition: fn } : undefined;
    }
    if (callee.kind !== 'name') return undefined;
    if (KNOWN_COROUTINES.has(callee.name)) return { name: callee.name };
    // Most names a file calls lead to modules without any `async def`: their text tells, no summary needed.
    if (this.workspace?.surelyNotAsync?.(callee.name)) return undefined;
    const external = this.workspace?.findFunction(callee.name);
    const summary = external?.summary;
    if (summary?.isAsync && !summary.isGenerator && summary.plainDecorators) return { name: callee.name, external };
    return undefined;
  }
}

/** The binding in effect at `offset`: the last one before it, else (a use before any binding, as in a function body referring to a later module-level name) the first. */
function pickBinding(candidates: Binding[], offset: number): Binding {
  let chosen: Binding | undefined;
  for (const b of candidates) {
    if (b.at <= offset) chosen = b;
  }
  return chosen ?? candidates[0]!;
}

interface Frame {
  node: Node;
  parent: Node | undefined;
  scope: Scope;
  /** The function whose body runs the node (undefined at module level and in class bodies). */
  fn: FunctionInfo | undefined;
  /** Where the node goes in document order: the model's list, or its chunk's. */
  sink: Node[];
}

type PushChildren = (node: Node, scope: Scope, fn: FunctionInfo | undefined, sink: Node[], only?: (child: Node) => boolean) => void;

/** Collects scopes and bindings in one iterative walk (no recursion, so 10,000-deep nesting is fine). */
class ScopeBuilder {
  private readonly stack: Frame[] = [];
  private readonly pushChildren: PushChildren = (node, scope, fn, sink, only) => {
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c && (!only || only(c))) this.stack.push({ node: c, parent: node, scope, fn, sink });
    }
  };
  /** Set once the skipped expressions are walked: nothing is skipped any more. */
  private deep = false;
  /** Expressions outside functions that a shallow walk did not enter. */
  private readonly skipped: Array<Pick<Frame, 'node' | 'scope' | 'fn' | 'sink'>> = [];
  /** Bodies waiting to be built, by chunk. */
  private readonly pendingBodies = new Map<Chunk, Frame>();

  constructor(private readonly model: SemanticModel) {}

  /** Sets up the first walk, of the code outside functions and the functions' headers: `walk` makes it. */
  start(root: Node, moduleScope: Scope): void {
    const statements = root.namedChildren;
    for (let i = statements.length - 1; i >= 0; i--) {
      const statement = statements[i];
      if (statement) this.stack.push({ node: statement, parent: root, scope: moduleScope, fn: undefined, sink: this.model.outsideList });
    }
    for (const statement of statements) if (statement) this.model.topLevel.push(statement);
  }

  /** Goes on with the first walk until `stop()` says so; true once it is done. */
  walk(stop?: () => boolean): boolean {
    return this.drain(stop);
  }

  /** Walks a chunk's body that the first walk left for later. */
  buildBody(chunk: Chunk): void {
    const frame = this.pendingBodies.get(chunk);
    if (!frame) return;
    this.pendingBodies.delete(chunk);
    const { node, scope, fn: outer } = frame;
    const body = node.childForFieldName('body');
    // A query may build a body while another is being built: keep the outer walk's frames apart.
    // Parameters of a lazy body are bound with it: only code inside the function looks them up.
    this.parameters(node.childForFieldName('parameters'), chunk.fn);
    this.isolated([], () => {
      if (body) this.pushChildren(node, chunk.fn.scope, chunk.fn, chunk.nodes, (c) => sameNode(c, body));
      this.pushChildren(node, scope, outer, chunk.nodes, (c) => !body || !sameNode(c, body));
      this.drain();
    });
    // A comment after the body is a child of the `def` too: keep document order.
    const nodes = chunk.nodes;
    for (let i = 1; i < nodes.length; i++) {
      if (nodes[i - 1]!.startIndex > nodes[i]!.startIndex) {
        nodes.sort((a, b) => a.startIndex - b.startIndex);
        break;
      }
    }
  }

  /** Binds in `scope` the names that `statement` (an import or an assignment, walked once already) binds. */
  rebind(statement: Node, scope: Scope): void {
    if (statement.type === 'import_statement') this.importStatement(statement, scope);
    else if (statement.type === 'import_from_statement') this.importFrom(statement, scope);
    else for (const child of statement.namedChildren) if (child.type === 'assignment') this.assignment(child, scope);
  }

  /**
   * A new chunk for `node`, which stands in for `old`'s function after an edit inside its body (see
   * `SemanticModel.replaceFunctionBody`): bound where the old one was, its body left for later.
   * Undefined when the old function's binding cannot be found.
   */
  replaceFunction(old: Chunk, node: Node, parent: Node | undefined): Chunk | undefined {
    this.pendingBodies.delete(old);
    const enclosing = old.fn.scope.parent;
    if (!enclosing) return undefined;
    const fnScope = this.model.newScope('function', node, enclosing);
    const header = this.model.functionHeader(node.startIndex);
    const defParent = old.fn instanceof LazyFunctionInfo ? old.fn.parent : parent;
    const fn: FunctionInfo = header ? new LazyFunctionInfo(node, defParent, header.name, header.isAsync, fnScope, enclosing) : eagerFunctionInfo(node, defParent, fnScope, enclosing);
    // A new name rebinds (the functions that call either name and are analyzed afresh see it); a
    // `def` that became `async def` or the other way round changes what every caller gets: a new model.
    if (fn.isAsync !== old.fn.isAsync || (fn.name !== old.fn.name && (fn.name === '<function>' || old.fn.name === '<function>'))) return undefined;
    fnScope.fn = fn;
    const chunk = new LazyChunk(node, fn, false);
    chunk.nodes.push(node);
    this.model.record(node, parent, enclosing, undefined);
    if (fn.name !== '<function>') {
      const list = enclosing.bindings.get(old.fn.name);
      const at = list?.findIndex((b) => b.kind === 'function' && b.fn === old.fn) ?? -1;
      if (!list || at < 0) return undefined;
      const binding: Binding = { kind: 'function', at: node.startIndex, node, fn };
      if (fn.name === old.fn.name) list[at] = binding;
      else {
        list.splice(at, 1);
        if (list.length === 0) writable(enclosing, 'bindings').delete(old.fn.name);
        const renamed = enclosing.bindings.get(fn.name);
        if (!renamed) writable(enclosing, 'bindings').set(fn.name, [binding]);
        else {
          // In document order, as the walk bound them (`pickBinding` takes the last one before a use).
          const after = renamed.findIndex((b) => b.at > binding.at);
          renamed.splice(after < 0 ? renamed.length : after, 0, binding);
        }
      }
    }
    this.pendingBodies.set(chunk, { node, parent: undefined, scope: enclosing, fn: undefined, sink: chunk.nodes });
    return chunk;
  }

  private drain(stop?: () => boolean): boolean {
    const stack = this.stack;
    let walked = 0;
    while (stack.length > 0) {
      if (stop && (++walked & 255) === 0 && stop()) return false;
      const frame = stack.pop()!;
      const { node, scope, fn } = frame;
      this.model.record(node, frame.parent, scope, fn);
      const type = node.type;
      switch (type) {
        case 'function_definition':
          this.functionDefinition(frame);
          continue;
        case 'lambda':
          frame.sink.push(node);
          this.lambda(frame);
          continue;
        case 'class_definition':
          frame.sink.push(node);
          this.classDefinition(frame);
          continue;
        case 'import_statement':
          frame.sink.push(node);
          this.importStatement(node, scope);
          continue;
        case 'import_from_statement':
          frame.sink.push(node);
          this.importFrom(node, scope);
          continue;
      }
      frame.sink.push(node);
      if (type === 'comment' && frame.sink === this.model.outsideList) this.model.outsideCommentList.push(node);
      switch (type) {
        case 'assignment':
          this.assignment(node, scope);
          break;
        case 'for_statement':
        case 'for_in_clause':
          this.bindTargets(node.childForFieldName('left'), scope, undefined);
          break;
        case 'with_item':
          this.withItem(node, scope);
          break;
        case 'as_pattern':
          if (frame.parent?.type === 'except_clause') this.bindTargets(node.childForFieldName('alias'), scope, undefined);
          break;
        case 'named_expression': {
          const name = node.childForFieldName('name');
          let target = scope;
          while (target.kind === 'comprehension' && target.parent) target = target.parent;
          if (name) this.bind(target, name.text, { kind: 'assign', at: name.startIndex, node: name, value: node.childForFieldName('value') ?? undefined, annotation: undefined, scope });
          break;
        }
        case 'global_statement':
          for (const n of node.namedChildren) if (n.type === 'identifier') writable(scope, 'globals').add(n.text);
          continue;
        case 'nonlocal_statement':
          for (const n of node.namedChildren) if (n.type === 'identifier') writable(scope, 'nonlocals').add(n.text);
          continue;
        default:
          if (COMPREHENSION_TYPES.has(type)) {
            this.pushChildren(node, this.model.newScope('comprehension', node, scope), fn, frame.sink);
            continue;
          }
      }
      if (this.model.shallow && !this.deep && frame.sink === this.model.outsideList && SHALLOW_TYPES.has(type) && !mayBind(node)) {
        this.skipped.push({ node, scope, fn, sink: frame.sink });
        continue;
      }
      this.pushChildren(node, scope, fn, frame.sink);
    }
    return true;
  }

  /** Walks what a shallow walk skipped, of the nodes `wanted` picks; false when nothing was. */
  walkSkipped(wanted: (node: Node) => boolean): boolean {
    const picked: typeof this.skipped = [];
    const kept: typeof this.skipped = [];
    for (const f of this.skipped) (wanted(f.node) ? picked : kept).push(f);
    if (picked.length === 0) return false;
    this.skipped.length = 0;
    this.skipped.push(...kept);
    // Inside a skipped expression nothing is skipped again.
    const wasDeep = this.deep;
    this.deep = true;
    try {
      this.isolated([], () => {
        for (const f of picked) this.pushChildren(f.node, f.scope, f.fn, f.sink);
        this.drain();
      });
    } finally {
      this.deep = wasDeep || kept.length === 0;
    }
    return true;
  }

  private bind(scope: Scope, name: string, binding: Binding): void {
    if (binding.node.type === 'identifier') this.model.bindingNames.add(binding.node.id);
    let target = scope;
    if (scope.globals.has(name)) target = this.model.module;
    const list = target.bindings.get(name);
    if (list) list.push(binding);
    else writable(target, 'bindings').set(name, [binding]);
  }

  private functionDefinition(frame: Frame): void {
    const { parent, scope, fn: outer } = frame;
    // Error recovery can leave a `def` in an ERROR child of another `def`, outside its body: walked in
    // the enclosing scope, it is still inside that function's chunk (chunks never nest).
    const startsChunk = !insideFunction(scope) && !this.model.chunkAtOffset(frame.node.startIndex);
    const replacement = startsChunk ? this.model.replacementOf(frame.node) : undefined;
    const node = replacement ?? frame.node;
    if (replacement) this.model.record(replacement, parent, scope, outer);
    const fnScope = this.model.newScope('function', node, scope);
    const lazyChunk = this.model.lazy && startsChunk;
    // A body left for later is read only by its own queries: the name comes from the text, and the
    // nodes only the body's analysis needs are looked up then (three calls into wasm fewer per function).
    const header = lazyChunk ? this.model.functionHeader(node.startIndex) : undefined;
    const fn: FunctionInfo = header ? new LazyFunctionInfo(node, parent, header.name, header.isAsync, fnScope, scope) : eagerFunctionInfo(node, parent, fnScope, scope);
    fnScope.fn = fn;
    let sink = frame.sink;
    let chunk: Chunk | undefined;
    if (startsChunk) {
      // Without lazy bodies a chunk is only a range (the server tells which function a finding came from).
      chunk = new LazyChunk(node, fn, !this.model.lazy);
      this.model.addChunk(chunk);
      if (this.model.lazy) sink = chunk.nodes;
    }
    sink.push(node);
    if (fn.name !== '<function>') this.bind(scope, fn.name, { kind: 'function', at: node.startIndex, node, fn });
    if (!chunk || chunk.built) this.parameters(node.childForFieldName('parameters'), fn);
    // Defaults and annotations are evaluated in the enclosing scope; the body in the function's.
    if (chunk && !chunk.built) {
      // Parameters, the header's nodes (annotations, defaults) and the body are walked when the chunk is built.
      this.pendingBodies.set(chunk, { node, parent: undefined, scope, fn: outer, sink });
      // `global` in a body rebinds module names, which every other function may read: build it now.
      // So does a header that binds in the enclosing scope: a walrus in a default or an annotation, or
      // a statement that error recovery left in the `def` beside its body.
      if ((this.model.mayDeclareGlobals && this.model.chunkDeclaresGlobals(chunk)) || this.model.headerMayBind(chunk)) this.model.buildChunk(chunk);
      return;
    }
    // Pushed first, popped last: the header's nodes come before the body's, in document order.
    const body = node.childForFieldName('body');
    if (body) this.pushChildren(node, fnScope, fn, sink, (c) => sameNode(c, body));
    this.pushChildren(node, scope, outer, sink, (c) => !sameNode(c, body));
  }

  /** Runs `work` on a stack holding only `frames`; the walk in progress, if any, resumes afterwards. */
  private isolated(frames: Frame[], work: () => void): void {
    const saved = this.stack.splice(0);
    for (const f of frames) this.stack.push(f);
    work();
    for (const f of saved) this.stack.push(f);
  }

  private lambda({ node, scope, sink }: Frame): void {
    const lambdaScope = this.model.newScope('lambda', node, scope);
    const fn: FunctionInfo = {
      name: '<lambda>',
      node,
      nameNode: node,
      isAsync: false,
      isLambda: true,
      decorators: [],
      scope: lambdaScope,
    };
    lambdaScope.fn = fn;
    this.parameters(node.childForFieldName('parameters'), fn);
    this.pushChildren(node, lambdaScope, fn, sink);
  }

  private parameters(params: Node | null, fn: FunctionInfo): void {
    if (!params) return;
    let index = 0;
    for (const p of params.namedChildren) {
      let nameNode: Node | null = null;
      let annotation: Node | undefined;
      switch (p.type) {
        case 'identifier':
          nameNode = p;
          break;
        case 'typed_parameter':
          nameNode = p.namedChildren.find((c) => c.type === 'identifier') ?? null;
          annotation = p.childForFieldName('type') ?? undefined;
          break;
        case 'default_parameter':
          nameNode = p.childForFieldName('name');
          break;
        case 'typed_default_parameter':
          nameNode = p.childForFieldName('name');
          annotation = p.childForFieldName('type') ?? undefined;
          break;
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern':
          nameNode = p.namedChildren.find((c) => c.type === 'identifier') ?? null;
          break;
        default:
          continue;
      }
      if (nameNode?.type === 'identifier') {
        this.model.record(nameNode, undefined, fn.scope, fn);
        const isSplat = p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern';
        this.bind(fn.scope, nameNode.text, {
          kind: 'parameter',
          at: -1,
          node: nameNode,
          annotation: isSplat ? undefined : annotation,
          fn,
          index: isSplat ? -1 : index,
        });
      }
      index++;
    }
  }

  private classDefinition({ node, scope, fn: outer, sink }: Frame): void {
    const nameNode = node.childForFieldName('name');
    const classScope = this.model.newScope('class', node, scope);
    const superclasses = node.childForFieldName('superclasses');
    const cls: ClassInfo = {
      name: nameNode?.text ?? '<class>',
      node,
      scope: classScope,
      bases: superclasses ? superclasses.namedChildren.filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment') : [],
      instanceAttributes: new Map(),
    };
    classScope.cls = cls;
    if (nameNode) this.bind(scope, nameNode.text, { kind: 'class', at: node.startIndex, node, cls });
    // The class body runs once, at class creation: it is in no function.
    const body = node.childForFieldName('body');
    if (body) this.pushChildren(node, classScope, undefined, sink, (c) => sameNode(c, body));
    this.pushChildren(node, scope, outer, sink, (c) => !sameNode(c, body));
  }

  private importStatement(node: Node, scope: Scope): void {
    for (const item of node.namedChildren) {
      if (item.type === 'dotted_name') {
        // `import a.b.c` binds `a`; attribute access then spells out the rest.
        const top = item.namedChildren[0]?.text ?? item.text;
        this.model.importedModules.add(top);
        this.bind(scope, top, { kind: 'import', at: node.startIndex, node: item, target: top });
      } else if (item.type === 'aliased_import') {
        const target = item.childForFieldName('name')?.text;
        const alias = item.childForFieldName('alias')?.text;
        if (!target || !alias) continue;
        this.model.importedModules.add(target.split('.')[0]!);
        this.bind(scope, alias, { kind: 'import', at: node.startIndex, node: item, target });
      }
    }
  }

  private importFrom(node: Node, scope: Scope): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const moduleName = moduleNode.text.replace(/\s+/g, '');
    if (!moduleName.startsWith('.')) this.model.importedModules.add(moduleName.split('.')[0]!);
    for (const item of node.namedChildren) {
      if (sameNode(item, moduleNode)) continue;
      let imported: string | undefined;
      let local: string | undefined;
      if (item.type === 'dotted_name') {
        imported = item.text;
        local = item.text;
      } else if (item.type === 'aliased_import') {
        imported = item.childForFieldName('name')?.text;
        local = item.childForFieldName('alias')?.text;
      }
      if (!imported || !local) continue;
      const target = moduleName.endsWith('.') ? `${moduleName}${imported}` : `${moduleName}.${imported}`;
      this.bind(scope, local, { kind: 'import', at: node.startIndex, node: item, target });
    }
  }

  private assignment(node: Node, scope: Scope): void {
    const left = node.childForFieldName('left');
    let right = node.childForFieldName('right');
    // `a = b = f()`: the innermost right-hand side is the value of every target.
    while (right?.type === 'assignment') right = right.childForFieldName('right');
    const annotation = node.childForFieldName('type') ?? undefined;
    if (this.model.parentOf(node)?.type === 'assignment') return; // handled with the outer assignment's value
    const targets: Node[] = [];
    for (let n: Node | null = node; n?.type === 'assignment'; n = n.childForFieldName('right')) {
      const t = n.childForFieldName('left');
      if (t) targets.push(t);
    }
    for (const target of targets) {
      if (target.type === 'identifier') {
        this.bind(scope, target.text, { kind: 'assign', at: target.startIndex, node: target, value: right ?? undefined, annotation: sameNode(target, left) ? annotation : undefined, scope });
      } else if (target.type === 'attribute') {
        this.instanceAttribute(target, right ?? undefined, scope);
      } else if (!this.bindPairwise(target, right, scope)) {
        this.bindTargets(target, scope, undefined);
      }
    }
  }

  /** `a, b = x(), y()`: binds each name to its own value when both sides have the same shape. */
  private bindPairwise(target: Node, value: Node | null, scope: Scope): boolean {
    const sequences = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list']);
    const right = value ? unparenthesize(value) : undefined;
    if (!right || !sequences.has(target.type) || !sequences.has(right.type)) return false;
    const names = target.namedChildren.filter((c) => c.type !== 'comment');
    const values = right.namedChildren.filter((c) => c.type !== 'comment');
    if (names.length !== values.length || names.some((n) => n.type !== 'identifier')) return false;
    names.forEach((name, i) => {
      this.bind(scope, name.text, { kind: 'assign', at: name.startIndex, node: name, value: values[i], annotation: undefined, scope });
    });
    return true;
  }

  /** Records `self.x = value` inside a method, so `self.x.method()` resolves later. */
  private instanceAttribute(target: Node, value: Node | undefined, scope: Scope): void {
    const object = target.childForFieldName('object');
    const attr = target.childForFieldName('attribute')?.text;
    const fn = scope.fn;
    if (!value || !object || !attr || object.type !== 'identifier' || !fn?.owner) return;
    const firstParam = [...fn.scope.bindings.values()].flat().find((b) => b.kind === 'parameter' && b.index === 0);
    if (firstParam?.node.text !== object.text) return;
    this.model.recordInstanceAttribute(fn.owner, attr, value, scope);
  }

  /** Binds every name in an unpacking target to an unknown value. */
  private bindTargets(target: Node | null, scope: Scope, value: Node | undefined): void {
    if (!target) return;
    const stack: Node[] = [target];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'identifier') {
        this.bind(scope, n.text, { kind: 'assign', at: n.startIndex, node: n, value, annotation: undefined, scope });
      } else if (n.type === 'attribute' || n.type === 'subscript') {
        continue;
      } else {
        for (const c of n.namedChildren) stack.push(c);
      }
    }
  }

  private withItem(node: Node, scope: Scope): void {
    const value = node.childForFieldName('value');
    if (value?.type !== 'as_pattern') return;
    const manager = value.namedChildren[0];
    const alias = value.childForFieldName('alias');
    const name = alias?.namedChildren[0];
    if (!manager || !name) return;
    if (name.type === 'identifier') {
      const clause = this.model.parentOf(node);
      const statement = clause ? this.model.parentOf(clause) : null;
      this.bind(scope, name.text, { kind: 'with', at: name.startIndex, node: name, manager, isAsync: !!statement && hasAsyncKeyword(statement), scope });
    } else {
      this.bindTargets(name, scope, undefined);
    }
  }
}

/**
 * The outside nodes with the chunks' nodes put in their places: after every outside node that
 * starts at or before the chunk (its ancestors and what precedes it), before the rest.
 */
export function mergeByStart(outside: readonly Node[], chunks: readonly Chunk[]): Node[] {
  const merged: Node[] = [];
  let i = 0;
  for (const chunk of chunks) {
    while (i < outside.length && outside[i]!.startIndex <= chunk.start) merged.push(outside[i++]!);
    for (const n of chunk.nodes) merged.push(n);
  }
  while (i < outside.length) merged.push(outside[i++]!);
  return merged;
}

/** Where each chunk's nodes are in a full model's pre-order list (a chunk's nodes are one run, its `def` first). */
function chunkSpansIn(nodes: readonly Node[], chunks: readonly Chunk[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let k = 0;
  for (const chunk of chunks) {
    while (k < nodes.length && nodes[k]!.startIndex < chunk.start) k++;
    const from = k;
    while (k < nodes.length && nodes[k]!.startIndex < chunk.end) k++;
    spans.push([from, k]);
  }
  return spans;
}

/** Expressions a shallow walk need not enter: nothing in them binds a name, unless `mayBind` says so. */
const SHALLOW_TYPES = new Set([
  'call', 'argument_list', 'string', 'concatenated_string', 'dictionary', 'list', 'set', 'tuple', 'binary_operator',
  'boolean_operator', 'comparison_operator', 'unary_operator', 'not_operator', 'conditional_expression', 'subscript',
  'attribute', 'parenthesized_expression', 'keyword_argument', 'type', 'generic_type', 'expression_list',
]);

/** `:=`, a lambda or a comprehension (`for` in an expression) bind names in an expression. */
function mayBind(node: Node): boolean {
  const text = node.text;
  return text.includes(':=') || text.includes('lambda') || /\bfor\b/.test(text);
}

/** A line that starts a `global` statement (a docstring line starting so is a harmless false alarm). */
/** `def name(` or `async def name(` on one line (a line continuation or comment in between: read the tree instead). */
const DEF_HEADER = /(async[ \t]+)?def[ \t]+([\p{ID_Start}_][\p{ID_Continue}]*)[ \t]*[([]/uy;

/** A function's facts from the tree. */
function eagerFunctionInfo(node: Node, parent: Node | undefined, fnScope: Scope, scope: Scope): FunctionInfo {
  const nameNode = node.childForFieldName('name');
  const decorated = parent?.type === 'decorated_definition' ? parent : undefined;
  return {
    name: nameNode?.text ?? '<function>',
    node,
    nameNode: nameNode ?? node,
    isAsync: isAsyncFunction(node),
    isLambda: false,
    decorators: decorated ? decorated.namedChildren.filter((c) => c.type === 'decorator') : [],
    scope: fnScope,
    owner: scope.kind === 'class' ? scope.cls : undefined,
  };
}

/** A function's facts with the name read from the text; its name node and decorators are looked up when first asked for. */
class LazyFunctionInfo implements FunctionInfo {
  readonly isLambda = false;
  readonly owner: ClassInfo | undefined;
  private nameNodeFound: Node | undefined;
  private decoratorsFound: Node[] | undefined;

  constructor(
    readonly node: Node,
    readonly parent: Node | undefined,
    readonly name: string,
    readonly isAsync: boolean,
    readonly scope: Scope,
    enclosing: Scope,
  ) {
    this.owner = enclosing.kind === 'class' ? enclosing.cls : undefined;
  }

  get nameNode(): Node {
    return (this.nameNodeFound ??= this.node.childForFieldName('name') ?? this.node);
  }

  get decorators(): Node[] {
    const parent = this.parent;
    return (this.decoratorsFound ??= parent?.type === 'decorated_definition' ? parent.namedChildren.filter((c) => c.type === 'decorator') : []);
  }
}

/**
 * Sets an instance attribute, the map kept in the order of the assignments in the file: rules that
 * go through them (the first loop among them) then pick the same one whatever order bodies were built in.
 */
function setInDocumentOrder(attributes: Map<string, { value: Node; scope: Scope }>, attr: string, entry: { value: Node; scope: Scope }): void {
  attributes.set(attr, entry);
  let last = -1;
  let sorted = true;
  for (const { value } of attributes.values()) {
    if (value.startIndex < last) sorted = false;
    last = value.startIndex;
  }
  if (sorted) return;
  const entries = [...attributes].sort((a, b) => a[1].value.startIndex - b[1].value.startIndex);
  attributes.clear();
  for (const [name, value] of entries) attributes.set(name, value);
}

/** A top-level function or method; where its body starts is looked up when first asked for. */
class LazyChunk implements Chunk {
  start: number;
  end: number;
  readonly nodes: Node[] = [];
  private bodyStartFound: number | undefined;

  constructor(
    readonly node: Node,
    readonly fn: FunctionInfo,
    public built: boolean,
  ) {
    this.start = node.startIndex;
    this.end = node.endIndex;
  }

  get bodyStart(): number {
    return (this.bodyStartFound ??= this.node.childForFieldName('body')?.startIndex ?? this.end);
  }

  /** Moves the offsets held, after an edit elsewhere (the node, a kept one, was moved already). */
  move(move: (offset: number) => number): void {
    this.start = move(this.start);
    this.end = move(this.end);
    if (this.bodyStartFound !== undefined) this.bodyStartFound = move(this.bodyStartFound);
  }
}

const NAME_CHARACTER = /[\p{ID_Continue}]/u;

const wholeNamesPatterns = new Map<string, RegExp>();

/** A pattern matching any of `names` as a whole name, not inside a longer one (never, for none). */
function wholeNamesPattern(names: readonly string[]): RegExp {
  const key = names.join('\u0000');
  let pattern = wholeNamesPatterns.get(key);
  if (!pattern) {
    const words = names.filter((n) => n !== '').map(escapeRegExp);
    pattern = words.length === 0 ? /(?!)/ : new RegExp(`(?<![\\p{ID_Continue}])(?:${words.join('|')})(?![\\p{ID_Continue}])`, 'u');
    wholeNamesPatterns.set(key, pattern);
  }
  return pattern;
}

/** Whether `name` occurs in `source` between `from` and `to` as a whole name, not inside a longer one. */
function mentionsName(source: string, from: number, to: number, name: string): boolean {
  if (!name) return false;
  const text = source.slice(from, to);
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = at + name.length < text.length ? text[at + name.length]! : ' ';
    if (!NAME_CHARACTER.test(before) && !NAME_CHARACTER.test(after)) return true;
  }
  return false;
}

/** Whether `global` at `at` starts a statement (at the start of a line or after `;`) followed by a name. */
function isGlobalStatementAt(source: string, at: number): boolean {
  let before = at - 1;
  while (before >= 0 && (source[before] === ' ' || source[before] === '\t')) before--;
  if (before >= 0 && !'\n\r;'.includes(source[before]!)) return false;
  let after = at + 'global'.length;
  if (source[after] !== ' ' && source[after] !== '\t') return false;
  while (source[after] === ' ' || source[after] === '\t') after++;
  const first = source.codePointAt(after);
  return first !== undefined && /[\p{ID_Start}_]/u.test(String.fromCodePoint(first));
}

/** Whether code in `scope` runs inside a function (a class body nested in a function counts). */
function insideFunction(scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.kind === 'function' || s.kind === 'lambda') return true;
  return false;
}
