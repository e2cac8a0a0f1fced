/**
 * What the analysis of one file may learn about the other modules of its
 * workspace: per-module summaries (functions, classes, module-level imports)
 * small enough to keep for every file, and the link through which a file's
 * semantic model asks for them. The workspace layer (server/src/workspace)
 * builds and caches the summaries; the core only reads them.
 */
import type { Range } from './types';

export interface BlockingSite {
  /** The rule whose catalog lists the call (AIO105 ...). */
  code: string;
  /** Its qualified name (`open`, `requests.get`). */
  callee: string;
  range: Range;
}

export interface CallSite {
  /** Absolute qualified name of the callee (`pkg.db.load`, `pkg.models.Repo.save`). */
  target: string;
  range: Range;
}

/** What a function's `def` line and decorators tell (and a look for `yield` in its body). */
export interface FunctionShape {
  /** `load` for a module-level def, `Repo.save` for a method of a module-level class. */
  qualname: string;
  isAsync: boolean;
  /** Has `yield`: an async generator is not a coroutine function. */
  isGenerator: boolean;
  /** No decorator that could change what calling it returns. */
  plainDecorators: boolean;
  nameRange: Range;
}

/** What walking a function's body tells (sync functions only; an `async def` has no calls listed). */
export interface FunctionDetails {
  /** The first blocking call its own body makes (sync functions only). */
  blocking?: BlockingSite;
  /** Where it starts an event loop (`asyncio.run`, `loop.run_until_complete`), unless it first checks for a running one. */
  loopStart?: BlockingSite;
  /** Calls its body makes when it runs (not awaited, not in nested defs): edges of the call graph. */
  calls: CallSite[];
  /** Why it is CPU-bound pure-Python work, when it certainly is. */
  cpu?: { reason: string; range: Range };
}

/**
 * A function of a module summary. In the workspace index, the details are worked out for the whole
 * module when one of them is first read (see `summarizeModule`).
 */
export interface FunctionSummary extends FunctionShape, FunctionDetails {}

export interface ClassSummary {
  name: string;
  /** Absolute qualified names of the base classes that could be resolved. */
  bases: string[];
  nameRange: Range;
}

export interface ModuleSummary {
  moduleName: string;
  uri: string;
  functions: Map<string, FunctionSummary>;
  classes: Map<string, ClassSummary>;
  /** Module-level imports, local name -> absolute qualified target (for re-exports). */
  imports: Map<string, string>;
}

/** A function of another module (or of this one, by qualified name), found through the workspace. */
export interface ExternalFunction {
  qualifiedName: string;
  module: ModuleSummary;
  summary: FunctionSummary;
}

/** How a file's semantic model reaches the rest of the workspace. */
export interface WorkspaceLink {
  /** This file's dotted module name (`pkg.sub.mod`), used to resolve relative imports. */
  moduleName: string;
  /** True for a package's `__init__.py`. */
  isPackage: boolean;
  /** Looks up a function or method by absolute qualified name, following re-exports and base classes. */
  findFunction(qualifiedName: string): ExternalFunction | undefined;
  /** True when the name denotes a class of the workspace. */
  isClass(qualifiedName: string): boolean;
  /**
   * What a dotted name is in the workspace, for the pre-filter (core/prefilter.ts): a coroutine
   * function or a class with an async method (`async`), a module (`module`), or anything else.
   */
  classify?(qualifiedName: string): 'async' | 'module' | 'inert';
  /**
   * `classify` for a name that is called (`main(...)`), taken as the analysis takes a callee: the
   * attribute of its parent module, not a submodule of that name (`from unittest import main` binds
   * the function `unittest/__init__.py` imports, though `unittest/main.py` exists).
   */
  classifyCallee?(qualifiedName: string): 'async' | 'module' | 'inert';
  /**
   * True when the text of the module defining the name shows, without parsing it, that the name is
   * no `async def` (nor anything that could lead to one): `findFunction` would find no coroutine
   * function. False means "look it up".
   */
  surelyNotAsync?(qualifiedName: string): boolean;
}

/** `.db.save` in module `pkg.api` -> `pkg.db.save`; undefined when it climbs above the top package. */
export function absoluteImport(target: string, moduleName: string, isPackage: boolean): string | undefined {
  const dots = /^\.*/.exec(target)![0].length;
  if (dots === 0) return target;
  const packageParts = moduleName.split('.');
  if (!isPackage) packageParts.pop();
  const up = dots - 1;
  if (up > packageParts.length) return undefined;
  const base = packageParts.slice(0, packageParts.length - up);
  const rest = target.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.') || undefined;
}
