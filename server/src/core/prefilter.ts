/**
 * Which functions of a file can be reported on at all, told from the text before their bodies are
 * walked, so that a full analysis builds and visits only those.
 *
 * Every rule names the words (`RuleMeta.triggers`) without which it cannot report on a piece of
 * code: `async` for the rules about coroutine bodies, the modules of the APIs it matches
 * (`threading`, `concurrent`, ...) for the others. Code reaches those APIs either by spelling one of
 * the words or through a name defined elsewhere by text that does: an import alias, a module-level
 * assignment or `with`, a class, a method, `self.pool = pool` in a method that spells one. So a
 * top-level function or method (a chunk) is visited when its text holds a word of an enabled rule
 * or mentions such a name ("hot" names, found transitively). The methods of a class whose bases are
 * hot are visited too (`self.fetch()` may be an inherited coroutine function).
 *
 * With imports followed, other modules of the workspace can make a call a coroutine: a name the file
 * imports, or any dotted name (an unbound name is taken as a module), that leads to a coroutine
 * function or a class with async methods there makes the code that writes it hot.
 *
 * The code outside functions is always visited: it is small, and it defines the names. Words in
 * comments and plain strings do not count (core/code-text.ts).
 */
import { escapeRegExp } from './regex';
import type { Node } from 'web-tree-sitter';
import { codeOnly } from './code-text';
import { scanImports } from './import-scan';
import type { Rule } from './rule';
import type { Chunk, SemanticModel } from './semantic';
import { canonicalName, looksLikeClass } from './knowledge';
import { isRuleEnabled } from './selection';
import { firstAtOrAfter, lastSpanStartingAt } from './spans';
import { runToEnd } from './steps';
import type { AnalyzeOptions } from './types';
import { absoluteImport, type WorkspaceLink } from './workspace-types';

export class Triggers {
  private constructor(
    /** Undefined with no rule enabled: nothing can be reported. */
    private readonly pattern: RegExp | undefined,
    /** An enabled rule names no words: everything may be reported on. */
    readonly everything: boolean,
  ) {}

  static of(rules: readonly Rule[], options: AnalyzeOptions): Triggers {
    const words = new Set<string>();
    for (const rule of rules) {
      if (!isRuleEnabled(rule.meta.code, options, rule.meta.enabledByDefault ?? true)) continue;
      const triggers = rule.meta.triggers;
      if (!triggers) return new Triggers(undefined, true);
      for (const word of triggers) words.add(word);
    }
    return new Triggers(words.size > 0 ? new RegExp([...words].map(escapeRegExp).join('|')) : undefined, false);
  }

  /** Whether `text` holds a word of an enabled rule (always true when a rule names none). */
  test(text: string): boolean {
    if (this.everything) return true;
    return this.pattern !== undefined && this.pattern.test(text);
  }
}

/**
 * Imports followed: what a dotted name leads to in the workspace (`pkg.db.save`, `pkg.client.Client`).
 * - `async`: a coroutine function, or a class with an async method (its own or inherited);
 * - `module`: a module of the workspace, whose attributes may be either;
 * - `inert`: anything else (a plain function or class, a constant, a name from outside the workspace).
 */
export interface ImportProbe {
  classify(qualifiedName: string): 'async' | 'module' | 'inert';
  /** See `WorkspaceLink.classifyCallee`. */
  classifyCallee?(qualifiedName: string): 'async' | 'module' | 'inert';
}

/** A span of text outside every chunk that defines names (a value, a class, a `with` manager) or a class's bases. */
interface Definition {
  readonly names: readonly string[];
  readonly start: number;
  readonly end: number;
  /** For a class's bases: the chunks of its methods. */
  readonly methods?: readonly number[];
  hot: boolean;
}

/** Identifier characters: non-ASCII ones all count, so that a name is never found inside a longer one. */
export const NAME_CHAR = '[A-Za-z0-9_\\u0080-\\uffff]';
const NAME = `[A-Za-z_\\u0080-\\uffff]${NAME_CHAR}*`;
/** `.name =` and `.name: T =` (not `==`): attributes a function assigns (`self.pool = ...`, `cls.x = ...`). */
export const ATTRIBUTE_ASSIGNMENT = new RegExp(`\\.\\s*(${NAME})\\s*(?::[^=\\n]{0,300})?=(?!=)`, 'g');
const GLOBAL_STATEMENT = /(?:^|[;\n])[ \t]*global[ \t]+([^\n;#]+)/g;
const IMPORT_WORD = new RegExp(`(?<!${NAME_CHAR})import(?!${NAME_CHAR})`);
/** A name followed by attributes (`db.save`, `pkg . mod . Client`), not itself an attribute. */
const DOTTED_NAME = new RegExp(`(?<![A-Za-z0-9_\\u0080-\\uffff.])(${NAME})((?:\\s*\\.\\s*${NAME})+)`, 'g');
/**
 * Before a module's name, what makes it no value that could stand for the module later: `del db`,
 * `def db`, `class db`, and the module handed to a builtin that reads its attributes by name
 * (`hasattr(db, "x")`; the model resolves no `getattr`). After it, `=` (not `==`) makes it a name
 * being bound: an assignment's target, a keyword argument, a parameter with a default.
 */
const NOT_A_VALUE_BEFORE = `(?<!(?<!${NAME_CHAR}|\\.)(?:(?:del|def|class)\\s+|(?:getattr|hasattr|setattr|delattr|vars|dir)\\(\\s*))`;
/** Names written as one alternation per search; more would make the pattern slow to compile. */
const NAMES_PER_SEARCH = 200;
/** Spaces and at most one line break (inside brackets) between a name and the parenthesis calling it. */
const CALL_FOLLOWS = /^[ \t]*(?:\\?\r?\n[ \t]*)?\(/;
const CALL_LOOKAHEAD = 200;
const SEARCH_ROUNDS = 4;
const IDENTIFIER = new RegExp(NAME, 'g');

/**
 * The chunks whose text holds a trigger word of `triggers` or mentions a hot name, in document
 * order. `semantic` must be a lazy model whose code outside functions is walked in full (its module
 * and class scopes complete); no body is built here.
 */
export function chunksToVisit(semantic: SemanticModel, text: string, triggers: Triggers, probe?: ImportProbe): Chunk[] {
  return runToEnd(chunksToVisitInSteps(semantic, text, triggers, probe));
}

/** `chunksToVisit`, yielding between its steps (each a pass over the file's text), for an analysis in slices. */
export function* chunksToVisitInSteps(semantic: SemanticModel, text: string, triggers: Triggers, probe?: ImportProbe): Generator<void, Chunk[]> {
  if (triggers.everything) return [...semantic.chunks];
  const source = codeOnly(text);
  yield;
  const search = new HotChunkSearch(semantic, source, triggers);
  yield;
  search.heatByWords();
  yield;
  if (probe) search.heatByWorkspace(probe);
  // Each round searches the code still cold for the names made hot by the last one: one or two
  // rounds in practice. A long chain (a helper calling a helper calling ...) would make that
  // quadratic: past a few rounds, the names of the code still cold are indexed once instead.
  for (let round = 0; search.hasPendingNames() && round < SEARCH_ROUNDS; round++) {
    yield;
    search.searchRound();
  }
  search.followRemainingNames();
  return search.hotChunks();
}

/**
 * The search behind `chunksToVisitInSteps`, one method per step. A class rather than closures inside
 * the generator: V8 optimizes each step on its own, and a generator holding them all was its largest
 * compile in a CLI run (about 65 ms a time, four times per thread after deoptimizations).
 */
class HotChunkSearch {
  private readonly chunks: readonly Chunk[];
  private readonly hot: Uint8Array;
  private readonly hotNames = new Set<string>();
  private pending: string[] = [];
  private readonly definitions: Definition[] = [];
  /** Names bound outside functions by something other than an import: the closure follows those. */
  private readonly definedHere = new Set<string>();
  private readonly imports = new Map<string, string[]>();

  constructor(
    semantic: SemanticModel,
    private readonly source: string,
    private readonly triggers: Triggers,
  ) {
    this.chunks = semantic.chunks;
    this.hot = new Uint8Array(this.chunks.length);
    this.readOutsideFunctions(semantic);
  }

  private readOutsideFunctions(semantic: SemanticModel): void {
    const { source, triggers, definitions, definedHere, imports } = this;
    const methodsOf = new Map<unknown, number[]>();
    this.chunks.forEach((chunk, i) => {
      if (chunk.fn.owner) addTo(methodsOf, chunk.fn.owner, i);
    });
    for (const scope of semantic.outsideScopes()) {
      for (const [name, bindings] of scope.bindings) {
        for (const binding of bindings) {
          switch (binding.kind) {
            case 'import': {
              const target = semantic.absoluteTarget(binding.target);
              // The package's own name counts too: `from . import tasks` in `asyncio/` imports `asyncio.tasks`.
              if (triggers.test(binding.target) || (target !== undefined && triggers.test(target))) this.makeHot(name);
              if (target !== undefined) addTo(imports, name, target);
              break;
            }
            case 'assign':
              definedHere.add(name);
              if (binding.value) definitions.push(definitionOf([name], binding.value));
              if (binding.annotation) definitions.push(definitionOf([name], binding.annotation));
              break;
            case 'class': {
              definedHere.add(name);
              definitions.push(definitionOf([name], binding.node));
              const bases = binding.node.childForFieldName('superclasses');
              const methods = methodsOf.get(binding.cls) ?? [];
              if (bases && methods.length > 0) definitions.push({ ...definitionOf([], bases), methods });
              // `with self:` and `with cls():` name no class: every method of an async context manager may use one.
              if (methods.length > 0 && source.slice(binding.node.startIndex, binding.node.endIndex).includes('__aenter__')) {
                for (const i of methods) this.heat(i);
              }
              break;
            }
            case 'function':
              definedHere.add(name);
              // A top-level function or method is hot with its chunk.
              if (!semantic.chunkAt(binding.node)) definitions.push(definitionOf([name], binding.node));
              break;
            case 'with':
              definedHere.add(name);
              definitions.push(definitionOf([name], binding.manager));
              break;
            case 'parameter':
              break;
          }
        }
      }
    }
  }

  private makeHot(name: string): void {
    if (!name || this.hotNames.has(name)) return;
    this.hotNames.add(name);
    this.pending.push(name);
  }

  private heat(i: number): void {
    if (this.hot[i]) return;
    this.hot[i] = 1;
    const chunk = this.chunks[i]!;
    this.makeHot(chunk.fn.name);
    const text = this.source.slice(chunk.start, chunk.end);
    for (const match of text.matchAll(ATTRIBUTE_ASSIGNMENT)) this.makeHot(match[1]!);
    if (text.includes('global')) {
      for (const match of text.matchAll(GLOBAL_STATEMENT)) for (const name of match[1]!.split(',')) this.makeHot(name.trim());
    }
  }

  private heatDefinition(definition: Definition): void {
    definition.hot = true;
    for (const name of definition.names) this.makeHot(name);
    for (const i of definition.methods ?? []) this.heat(i);
  }

  /** Heats the cold chunks and definitions whose text matches `pattern`. */
  private heatWhere(pattern: { test(text: string): boolean }): void {
    const { chunks, hot, source } = this;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (!hot[i] && pattern.test(source.slice(chunk.start, chunk.end))) this.heat(i);
    }
    for (const definition of this.definitions) {
      if (!definition.hot && pattern.test(source.slice(definition.start, definition.end))) this.heatDefinition(definition);
    }
  }

  /** Code that spells a trigger word. */
  heatByWords(): void {
    this.heatWhere(this.triggers);
  }

  /** Imports followed: code that reaches a coroutine function or a class with async methods of the workspace. */
  heatByWorkspace(probe: ImportProbe): void {
    const { chunks, hot, source, definitions } = this;
    // An import inside a function is in none of the scopes read here: such a function may use anything.
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (!hot[i] && IMPORT_WORD.test(source.slice(chunk.start, chunk.end))) this.heat(i);
    }
    const names = new WorkspaceNames(probe, this.imports, this.definedHere);
    for (const name of names.asyncImports) this.makeHot(name);
    const coldSpans = [...chunks.filter((_, i) => !hot[i]), ...definitions.filter((d) => !d.hot)];
    const mentions = names.asyncMentions(source, coldSpans).sort((a, b) => a - b);
    for (const at of mentions) {
      const i = lastSpanStartingAt(chunks, at);
      if (i >= 0 && at < chunks[i]!.end) this.heat(i);
    }
    for (const definition of definitions) {
      if (definition.hot) continue;
      const before = firstAtOrAfter(mentions, definition.start);
      if (before < mentions.length && mentions[before]! < definition.end) this.heatDefinition(definition);
    }
  }

  hasPendingNames(): boolean {
    return this.pending.length > 0;
  }

  /** One round: the code still cold that mentions a name made hot since the last round. */
  searchRound(): void {
    const names = this.pending;
    this.pending = [];
    for (let from = 0; from < names.length; from += NAMES_PER_SEARCH) {
      this.heatWhere(wholeNames(names.slice(from, from + NAMES_PER_SEARCH)));
    }
  }

  /** Past the last round: the names of the code still cold, indexed once, followed to the end. */
  followRemainingNames(): void {
    if (this.pending.length === 0) return;
    const { chunks, hot, source } = this;
    const mentionedIn = new Map<string, Array<number | Definition>>();
    const index = (text: string, where: number | Definition) => {
      for (const name of new Set(text.match(IDENTIFIER))) addTo(mentionedIn, name, where);
    };
    chunks.forEach((chunk, i) => {
      if (!hot[i]) index(source.slice(chunk.start, chunk.end), i);
    });
    for (const definition of this.definitions) if (!definition.hot) index(source.slice(definition.start, definition.end), definition);
    while (this.pending.length > 0) {
      for (const where of mentionedIn.get(this.pending.pop()!) ?? []) {
        if (typeof where === 'number') this.heat(where);
        else if (!where.hot) this.heatDefinition(where);
      }
    }
  }

  hotChunks(): Chunk[] {
    return this.chunks.filter((_, i) => this.hot[i]);
  }
}

/**
 * Imports followed: the names that lead into the workspace. An import of a coroutine function or of
 * a class with async methods is hot as a name. An imported module is hot only through the
 * attributes written after it (`db.save()` may make a coroutine where `db.CONFIG` does not), and so
 * is any other dotted name not defined in this file (an unbound name is taken as a module); a module
 * written with no attribute after it (`conn = db`) makes the code holding it hot, unless it is
 * written where it cannot become the value of another name (`del db`, `hasattr(db, "x")`, `db = None`).
 */
class WorkspaceNames {
  private readonly known = new Map<string, 'async' | 'module' | 'inert'>();
  private readonly calleeKinds = new Map<string, 'async' | 'module' | 'inert'>();
  private readonly dottedLeads = new Map<string, boolean>();
  /** Imported names that are async themselves, and those that are modules. */
  readonly asyncImports: string[] = [];
  private readonly modules: string[] = [];

  constructor(
    private readonly probe: ImportProbe,
    private readonly imports: ReadonlyMap<string, readonly string[]>,
    private readonly definedHere: ReadonlySet<string>,
  ) {
    for (const [name, targets] of imports) {
      const kinds = targets.map((t) => this.classify(t));
      if (kinds.includes('async')) this.asyncImports.push(name);
      else if (kinds.includes('module')) this.modules.push(name);
    }
  }

  private classify(name: string): 'async' | 'module' | 'inert' {
    let kind = this.known.get(name);
    // Named as the model names it (`asyncio.tasks.gather` is `asyncio.gather`).
    if (kind === undefined) this.known.set(name, (kind = this.probe.classify(canonicalName(name))));
    return kind;
  }

  /** Whether a name written with these attributes after it may lead to something async. */
  private leadsToAsync(head: string, attributes: readonly string[]): boolean {
    for (const target of this.imports.get(head) ?? (this.definedHere.has(head) ? [] : [head])) {
      for (let k = 0; k <= attributes.length; k++) {
        const kind = this.classify(k === 0 ? target : `${target}.${attributes.slice(0, k).join('.')}`);
        if (kind === 'async') return true;
        if (kind === 'inert') break;
      }
    }
    return false;
  }

  /** Where, within `spans` of `source`, mentions lead to something async. */
  asyncMentions(source: string, spans: ReadonlyArray<{ start: number; end: number }>): number[] {
    const found: number[] = [];
    this.findAsyncMentions(source, spans, (at) => {
      found.push(at);
      return false;
    });
    return found;
  }

  /** Whether a mention within `spans` of `source` leads to something async (stops at the first). */
  mentionsAsync(source: string, spans: ReadonlyArray<{ start: number; end: number }>): boolean {
    return this.findAsyncMentions(source, spans, () => true);
  }

  /**
   * Calls `found` with each mention's offset until it returns true; returns whether one did. A plain
   * method rather than a generator: V8 compiled the generator three times over in a CLI run.
   */
  private findAsyncMentions(source: string, spans: ReadonlyArray<{ start: number; end: number }>, found: (at: number) => boolean): boolean {
    for (const span of spans) {
      const text = source.slice(span.start, span.end);
      for (const match of text.matchAll(DOTTED_NAME)) {
        // A file writes the same dotted names again and again (`self.conn.send`).
        let leads = this.dottedLeads.get(match[0]);
        if (leads === undefined) {
          const attributes = match[2]!.split('.').map((a) => a.trim()).filter(Boolean);
          this.dottedLeads.set(match[0], (leads = this.leadsToAsync(match[1]!, attributes)));
        }
        if (leads && found(span.start + match.index)) return true;
      }
    }
    for (let from = 0; from < this.modules.length; from += NAMES_PER_SEARCH) {
      const names = this.modules.slice(from, from + NAMES_PER_SEARCH).map(escapeRegExp).join('|');
      const bare = new RegExp(`${NOT_A_VALUE_BEFORE}(?<![A-Za-z0-9_\\u0080-\\uffff.])(?:${names})(?!${NAME_CHAR}|\\s*\\.|\\s*=(?!=))`, 'g');
      for (const span of spans) {
        const text = source.slice(span.start, span.end);
        for (const match of text.matchAll(bare)) {
          if (!this.calledHarmlessly(text, match.index + match[0].length, match[0]) && found(span.start + match.index)) return true;
        }
      }
    }
    return false;
  }

  /**
   * A module's name called (`main(...)`) is not the module, which cannot be called: the analysis
   * takes the callee as the parent module's attribute (`from unittest import main` binds the
   * function `unittest/__init__.py` imports from its submodule `main`). Harmless when that attribute
   * leads to nothing async and the call's result gets no type (a name that looks like a class would
   * make it an instance, whose methods the analysis looks up in the submodule).
   */
  private calledHarmlessly(text: string, end: number, name: string): boolean {
    if (!this.probe.classifyCallee || !CALL_FOLLOWS.test(text.slice(end, end + CALL_LOOKAHEAD))) return false;
    for (const target of this.imports.get(name) ?? []) {
      if (looksLikeClass(target)) return false;
      let kind = this.calleeKinds.get(target);
      if (kind === undefined) this.calleeKinds.set(target, (kind = this.probe.classifyCallee(canonicalName(target))));
      if (kind !== 'inert') return false;
    }
    return true;
  }
}

/**
 * Whether anything in a file can be reported on, told from its text alone: a file that holds no word
 * of an enabled rule (and, with imports followed, names nothing that leads to a coroutine function
 * or a class with async methods of the workspace) need not be parsed.
 */
export function fileMayReport(text: string, triggers: Triggers, workspace?: WorkspaceLink): boolean {
  if (triggers.everything) return true;
  // Blanking comments and strings can only take words away: a text without any needs no blanking.
  const inText = triggers.test(text);
  if (!inText && !workspace?.classify) return false;
  const code = codeOnly(text);
  if (inText && triggers.test(code)) return true;
  if (!workspace?.classify) return false;
  const scanned = scanImports(code);
  if (!scanned) return true;
  const imports = new Map<string, string[]>();
  /** Names bound to what spells a word (`from . import tasks` in `asyncio/` imports `asyncio.tasks`). */
  const spelling: string[] = [];
  for (const { name, target } of scanned.imports) {
    const absolute = target.startsWith('.') ? absoluteImport(target, workspace.moduleName, workspace.isPackage) : target;
    if (absolute === undefined) continue;
    if (triggers.test(absolute)) spelling.push(name);
    else addTo(imports, name, absolute);
  }
  const names = new WorkspaceNames({ classify: workspace.classify, classifyCallee: workspace.classifyCallee }, imports, new Set());
  // The text between the import statements.
  const spans: Array<{ start: number; end: number }> = [];
  let from = 0;
  for (const statement of scanned.statements) {
    spans.push({ start: from, end: statement.start });
    from = statement.end;
  }
  spans.push({ start: from, end: code.length });
  // Names bound to what spells a word, to a coroutine function or to a class with async methods are
  // hot, as the code that mentions them: a module that only imports or re-exports them (a package's
  // `__init__.py`, `from starlette.requests import Request as Request`) mentions none.
  const hotImports = [...spelling, ...names.asyncImports];
  if (hotImports.length > 0 && spans.some((span) => mentionsAnyOf(code.slice(span.start, span.end), hotImports))) return true;
  return names.mentionsAsync(code, spans);
}

/** Whether `text` mentions one of `names` as a whole name, as the search for hot names does. */
function mentionsAnyOf(text: string, names: readonly string[]): boolean {
  for (let from = 0; from < names.length; from += NAMES_PER_SEARCH) {
    if (wholeNames(names.slice(from, from + NAMES_PER_SEARCH)).test(text)) return true;
  }
  return false;
}

/** One of `names`, not inside a longer name. */
function wholeNames(names: readonly string[]): RegExp {
  return new RegExp(`(?<!${NAME_CHAR})(?:${names.map(escapeRegExp).join('|')})(?!${NAME_CHAR})`);
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function definitionOf(names: readonly string[], node: Node): Definition {
  return { names, start: node.startIndex, end: node.endIndex, hot: false };
}
