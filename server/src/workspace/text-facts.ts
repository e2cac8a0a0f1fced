/**
 * What a module's text tells without parsing it: enough for the workspace index to answer "this
 * name is no coroutine function and no class with async methods" for most names of most modules
 * (the pre-filter asks that about every name a file imports), instead of parsing the module to
 * summarize it. Only an `async def` makes a function async, and a class without one gets async
 * methods only from a base class, which the text names. Every answer is on the safe side: what the
 * text scan cannot read is "unknown", and the index then loads the summary as before.
 */
import { codeOnly } from '../core/code-text';
import { scanImports } from '../core/import-scan';
import { escapeRegExp } from '../core/regex';
import { firstAtOrAfter } from '../core/spans';

export interface TextFacts {
  /** The word `async` occurs in the code (not in comments or plain strings). */
  readonly mayDefineAsync: boolean;
  /** What each name bound by an import statement denotes, as written (undefined: an `import` the scan could not read). */
  readonly imports: ReadonlyMap<string, readonly string[]> | undefined;
  /**
   * The classes the code defines: the base lists of each `class` statement of that name, as dotted
   * names (undefined: a base list the scan could not read).
   */
  readonly classes: ReadonlyMap<string, readonly string[][] | undefined>;
  /** Builtin class names that the code binds otherwise as well (an assignment, a `def`...). */
  readonly reboundBuiltins: ReadonlySet<string>;
  /** The names of the code's `async def`s, at any depth. */
  readonly asyncDefs: ReadonlySet<string>;
  /**
   * The classes whose body may hold an `async def` (a method of their own, or of a class nested in
   * them): the others have no async method but what their bases give. Like `classes`, read only
   * when `imports` could be.
   */
  readonly classesWithAsyncDefs: ReadonlySet<string>;
}

export function textFactsOf(text: string): TextFacts {
  const code = codeOnly(text);
  const scanned = scanImports(code);
  let imports: Map<string, string[]> | undefined;
  if (scanned) {
    imports = new Map();
    for (const { name, target } of scanned.imports) {
      const list = imports.get(name);
      if (list) list.push(target);
      else imports.set(name, [target]);
    }
  }
  const mayDefineAsync = code.includes('async');
  const classes = new Map<string, string[][] | undefined>();
  const reboundBuiltins = new Set<string>();
  const asyncDefs = new Set<string>();
  const asyncDefOffsets: number[] = [];
  if (mayDefineAsync) {
    for (const match of code.matchAll(ASYNC_DEF)) {
      asyncDefs.add(match[1]!);
      asyncDefOffsets.push(match.index);
    }
  }
  const classesWithAsyncDefs = new Set<string>();
  const budget = { left: 4 * code.length };
  if (imports) {
    for (const match of code.matchAll(CLASS_HEADER)) {
      const name = match[1]!;
      const bases = baseList(code, match.index + match[0].length);
      if (asyncDefOffsets.length > 0 && classMayHoldAsyncDef(code, match.index, asyncDefOffsets, budget)) classesWithAsyncDefs.add(name);
      const known = classes.get(name);
      if (!classes.has(name)) classes.set(name, bases && (bases.length > 0 ? [bases] : []));
      else if (known && bases) known.push(...(bases.length > 0 ? [bases] : []));
      else classes.set(name, undefined);
    }
    for (const lists of classes.values()) {
      for (const base of lists?.flat() ?? []) {
        if (PLAIN_BUILTIN_BASES.has(base) && !reboundBuiltins.has(base) && mayRebind(code, base)) reboundBuiltins.add(base);
      }
    }
  }
  return { mayDefineAsync, imports, classes, reboundBuiltins, asyncDefs, classesWithAsyncDefs };
}

/**
 * Whether an `async def` (of `asyncDefOffsets`, in order) may lie in the body of the class whose
 * `class` word is at `classAt`: whether the body reaches the first `async def` after that word. The
 * body is taken to end at the first later line, indented no deeper than the `class` line, that
 * starts a `def`, `async def` or `class`: no expression continued from an earlier line can start
 * with those words, and code that merely follows the class at its level only makes the body taken
 * longer (on the safe side). Blanked strings leave no text; a triple quote still in the code (an
 * f-string, whose text is kept), a line continued by a backslash or a tab in the indentation makes
 * the answer "may", and so does running out of `budget` (characters searched, shared by the classes
 * of a file, so that nested classes are not searched over and over).
 */
function classMayHoldAsyncDef(code: string, classAt: number, asyncDefOffsets: readonly number[], budget: { left: number }): boolean {
  const next = firstAtOrAfter(asyncDefOffsets, classAt);
  if (next >= asyncDefOffsets.length) return false;
  const asyncDefAt = asyncDefOffsets[next]!;
  if (budget.left <= 0) return true;
  // Back to the start of the line (not `lastIndexOf('\r')`, which would search to the file's start for a `\r` that is not there).
  let lineStart = classAt;
  while (lineStart > 0 && code[lineStart - 1] !== '\n' && code[lineStart - 1] !== '\r') {
    // A `class` this far into a line is no statement of real code: "may", without reading the line again for every one.
    if (classAt - --lineStart > MAX_INDENTATION) return true;
  }
  const indentation = code.slice(lineStart, classAt).match(/^[ \t]*/)![0];
  if (indentation.includes('\t')) return true;
  // Past the word `class` itself: the next match is on a later line.
  LEVEL_HEADER.lastIndex = classAt + 'class'.length;
  let match = LEVEL_HEADER.exec(code);
  for (; match && match.index <= asyncDefAt; match = LEVEL_HEADER.exec(code)) {
    const lineBreak = code[match.index - 1] === '\n' && code[match.index - 2] === '\r' ? match.index - 2 : match.index - 1;
    if (match[1]!.includes('\t') || code[lineBreak - 1] === '\\') break;
    if (match[1]!.length <= indentation.length) {
      budget.left -= match.index - classAt;
      const body = code.slice(classAt, match.index);
      return body.includes('"""') || body.includes("'''");
    }
  }
  budget.left -= (match?.index ?? code.length) - classAt;
  return true;
}

/** Farther from its line's start than this, a `class` word is not read as a statement. */
const MAX_INDENTATION = 1000;

/** A line starting with `def`, `async def` or `class` (its indentation captured). */
const LEVEL_HEADER = /(?<=[\r\n])([ \t]*)(?:async[ \t\\]+def|def|class)(?![\p{ID_Continue}])/gu;

const IDENTIFIER = String.raw`[\p{ID_Start}_][\p{ID_Continue}]*`;
const DOTTED_NAME = new RegExp(String.raw`^(${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})*)\s*(?:\[[^]*\])?$`, 'u');
const KEYWORD_ARGUMENT = new RegExp(String.raw`^${IDENTIFIER}\s*=(?!=)`, 'u');

const ASYNC_DEF = new RegExp(String.raw`(?<![\p{ID_Continue}.])async[ \t\\\r\n]+def[ \t\\\r\n]+(${IDENTIFIER})`, 'gu');
const CLASS_HEADER = new RegExp(String.raw`(?<![\p{ID_Continue}.])class[ \t\\\r\n]+(${IDENTIFIER})`, 'gu');

/**
 * The bases a class statement lists, read from just after its name: dotted names (a subscript such
 * as `Generic[T]` stands for the name before it; keyword arguments such as `metaclass=` are no
 * bases). Undefined when a base is not a plain dotted name, or the list cannot be read.
 */
function baseList(code: string, afterName: number): string[] | undefined {
  let at = skipSpace(code, afterName);
  // `class Name[T](Base)`: type parameters first.
  if (code[at] === '[') {
    const close = matchingBracket(code, at);
    if (close === undefined) return undefined;
    at = skipSpace(code, close + 1);
  }
  if (code[at] === ':') return [];
  if (code[at] !== '(') return undefined;
  const close = matchingBracket(code, at);
  if (close === undefined) return undefined;
  const bases: string[] = [];
  for (const raw of splitTopLevel(code.slice(at + 1, close))) {
    const argument = raw.trim();
    if (argument === '' || KEYWORD_ARGUMENT.test(argument)) continue;
    const dotted = DOTTED_NAME.exec(argument);
    if (!dotted) return undefined;
    bases.push(dotted[1]!.replace(/\s+/g, ''));
  }
  return bases;
}

/**
 * Whether the code may bind `name` other than by `class` or `import`: an assignment (augmented or
 * a walrus too), a `def`, a `for`, `as` or `del` target, a `global`. A base class of that name then
 * may not be the builtin.
 */
function mayRebind(code: string, name: string): boolean {
  const word = String.raw`(?<![\p{ID_Continue}.])${escapeRegExp(name)}(?!\p{ID_Continue})`;
  const binding = new RegExp(String.raw`${word}[ \t]*(?::=|[-+*/%&|^@]?=(?!=)|\*\*=|//=|>>=|<<=)|\b(?:def|as|for|global|nonlocal|del)[ \t\\\r\n]+${word}`, 'u');
  return binding.test(code);
}

/** Builtin classes whose methods are never async, as base classes commonly name them. */
export const PLAIN_BUILTIN_BASES: ReadonlySet<string> = new Set([
  'object',
  'BaseException',
  'Exception',
  'ArithmeticError',
  'AssertionError',
  'AttributeError',
  'EOFError',
  'ImportError',
  'IndexError',
  'KeyError',
  'LookupError',
  'NameError',
  'NotImplementedError',
  'OSError',
  'IOError',
  'EnvironmentError',
  'RuntimeError',
  'StopIteration',
  'SyntaxError',
  'SystemExit',
  'TypeError',
  'UnicodeError',
  'ValueError',
  'Warning',
  'UserWarning',
  'DeprecationWarning',
  'RuntimeWarning',
  'dict',
  'list',
  'set',
  'frozenset',
  'tuple',
  'str',
  'bytes',
  'bytearray',
  'int',
  'float',
  'complex',
  'property',
  'type',
]);


function skipSpace(code: string, at: number): number {
  while (at < code.length && /[ \t\r\n\\]/.test(code[at]!)) at++;
  return at;
}

/** The offset of the bracket closing the one at `open` (strings and comments are blanked already). */
function matchingBracket(code: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

/** Splits an argument list at the commas outside brackets. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(list.slice(from));
  return parts;
}
