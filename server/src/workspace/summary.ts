/**
 * Summarizes a module for the workspace index: its functions and methods
 * (async or not, direct blocking calls, the calls they make, CPU-bound
 * evidence), its classes and its module-level imports. Everything is named by
 * absolute qualified name so summaries of different files link up.
 */
import type { Node } from 'web-tree-sitter';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import { rangeOf } from '../core/syntax';
import type { Range } from '../core/types';
import { absoluteImport, type BlockingSite, type CallSite, type ClassSummary, type FunctionDetails, type FunctionShape, type FunctionSummary, type ModuleSummary } from '../core/workspace-types';
import { blockingSiteOf } from '../rules/helpers/blocking-calls';
import { CpuBoundAnalysis } from '../rules/helpers/cpu-bound';
import { LOOP_RUNNERS, RUNNING_LOOP_CHECKS } from '../rules/helpers/loop-runners';

/** Decorators that leave a function returning what its body returns. */
const PLAIN_DECORATORS = new Set([
  'staticmethod', 'classmethod', 'abc.abstractmethod', 'typing.override', 'typing_extensions.override',
  'functools.wraps', 'property',
]);

/**
 * Blocking calls that a sync helper makes without stalling in practice: a helper takes a
 * lock for a short critical section (a cookie jar, a fork check), and reporting every async
 * caller of such helpers would be noise. Called directly in async code they are still AIO110.
 */
const SHORT_CRITICAL_SECTIONS = new Set([
  'threading.Lock.acquire', 'threading.RLock.acquire', 'threading.Semaphore.acquire', 'threading.BoundedSemaphore.acquire',
]);

/** Keeps summaries small: past this many distinct call sites a function's further calls are not followed. */
const MAX_CALLS_PER_FUNCTION = 200;

/**
 * The facts of a module's functions that take walking their bodies, by qualified name (`load`,
 * `Repo.save`): computed for every function at once, when something first asks for one of them.
 */
export type ModuleDetails = ReadonlyMap<string, FunctionDetails>;

/**
 * Summarizes a module. With `details`, the facts of each function that take walking its body
 * (blocking calls, calls, loop starts, CPU-bound evidence) are read from it only when first asked for:
 * most summaries are only ever asked whether a name is an `async def`, and the body walks of a
 * whole workspace (which look into yet other modules) are most of the cost of indexing it. The
 * model may then be lazy: no body is built for the summary itself.
 */
export function summarizeModule(semantic: SemanticModel, moduleName: string, uri: string, isPackage: boolean, details?: () => ModuleDetails | undefined): ModuleSummary {
  const summarizer = new FunctionSummarizer(semantic, moduleName);
  const functions = new Map<string, FunctionSummary>();
  const classes = new Map<string, ClassSummary>();
  const imports = new Map<string, string>();
  const add = (qualname: string, fn: FunctionInfo) => {
    functions.set(qualname, details ? new LazyFunctionSummary(summarizer.shape(fn), details) : summarizer.summarize(fn));
  };
  for (const [name, bindings] of semantic.module.bindings) {
    const binding = bindings[bindings.length - 1];
    if (!binding) continue;
    if (binding.kind === 'function') {
      add(name, binding.fn);
    } else if (binding.kind === 'class') {
      const cls = binding.cls;
      const bases = cls.bases.flatMap((b) => {
        const value = semantic.resolve(b);
        if (value?.kind === 'name') return [value.name];
        if (value?.kind === 'class' && value.cls.scope.parent === semantic.module) return [`${moduleName}.${value.cls.name}`];
        return [];
      });
      classes.set(name, { name, bases, nameRange: rangeOf(cls.node.childForFieldName('name') ?? cls.node) });
      for (const [methodName, methodBindings] of cls.scope.bindings) {
        const method = methodBindings[methodBindings.length - 1];
        if (method?.kind === 'function') add(`${name}.${methodName}`, method.fn);
      }
    } else if (binding.kind === 'import') {
      const target = absoluteImport(binding.target, moduleName, isPackage);
      if (target) imports.set(name, target);
    }
  }
  return { moduleName, uri, functions, classes, imports };
}

/** The body facts of every function `summarizeModule` lists, by the same qualified names. */
export function moduleDetails(semantic: SemanticModel, moduleName: string): Map<string, FunctionDetails> {
  const summarizer = new FunctionSummarizer(semantic, moduleName);
  const details = new Map<string, FunctionDetails>();
  for (const [name, bindings] of semantic.module.bindings) {
    const binding = bindings[bindings.length - 1];
    if (binding?.kind === 'function') details.set(name, summarizer.details(binding.fn));
    else if (binding?.kind === 'class') {
      for (const [methodName, methodBindings] of binding.cls.scope.bindings) {
        const method = methodBindings[methodBindings.length - 1];
        if (method?.kind === 'function') details.set(`${name}.${methodName}`, summarizer.details(method.fn));
      }
    }
  }
  return details;
}

/** A function summary whose body facts come from its module's details, read when first asked for. */
class LazyFunctionSummary implements FunctionSummary {
  readonly qualname: string;
  readonly isAsync: boolean;
  readonly isGenerator: boolean;
  readonly plainDecorators: boolean;
  readonly nameRange: Range;

  constructor(shape: FunctionShape, private readonly moduleDetails: () => ModuleDetails | undefined) {
    this.qualname = shape.qualname;
    this.isAsync = shape.isAsync;
    this.isGenerator = shape.isGenerator;
    this.plainDecorators = shape.plainDecorators;
    this.nameRange = shape.nameRange;
  }

  private get own(): FunctionDetails | undefined {
    return this.moduleDetails()?.get(this.qualname);
  }

  get blocking(): BlockingSite | undefined {
    return this.own?.blocking;
  }

  get loopStart(): BlockingSite | undefined {
    return this.own?.loopStart;
  }

  get calls(): CallSite[] {
    return this.own?.calls ?? [];
  }

  get cpu(): FunctionSummary['cpu'] {
    return this.own?.cpu;
  }
}

/** The absolute qualified name of a module-level function or a method of a module-level class. */
export function qualifiedNameOf(fn: FunctionInfo, semantic: SemanticModel, moduleName: string): string | undefined {
  if (fn.isLambda) return undefined;
  if (fn.scope.parent === semantic.module) return `${moduleName}.${fn.name}`;
  const owner = fn.owner;
  if (owner && fn.scope.parent === owner.scope && owner.scope.parent === semantic.module) return `${moduleName}.${owner.name}.${fn.name}`;
  return undefined;
}

export class FunctionSummarizer {
  private readonly cache = new Map<number, FunctionSummary>();
  private cpu: CpuBoundAnalysis | undefined;

  constructor(
    private readonly semantic: SemanticModel,
    private readonly moduleName: string,
  ) {}

  summarize(fn: FunctionInfo): FunctionSummary {
    const cached = this.cache.get(fn.node.id);
    if (cached) return cached;
    const summary: FunctionSummary = { ...this.shape(fn), ...this.details(fn) };
    this.cache.set(fn.node.id, summary);
    return summary;
  }

  /** What the `def` line, the decorators and a look for `yield` tell. */
  shape(fn: FunctionInfo): FunctionShape {
    const { semantic } = this;
    return {
      qualname: fn.owner ? `${fn.owner.name}.${fn.name}` : fn.name,
      isAsync: fn.isAsync,
      // Only a body whose text says `yield` can hold one: the others are not walked.
      isGenerator: semantic.functionMentions(fn, 'yield') && semantic.isGenerator(fn),
      plainDecorators: fn.decorators.every((d) => PLAIN_DECORATORS.has(semantic.decoratorName(d) ?? '')),
      nameRange: rangeOf(fn.nameNode),
    };
  }

  /** What walking a sync function's body tells: its blocking call, its calls, a loop start, CPU-bound evidence. */
  details(fn: FunctionInfo): FunctionDetails {
    const details: FunctionDetails = { calls: [] };
    if (!fn.isAsync) {
      this.collectCalls(fn, details);
      this.cpu ??= new CpuBoundAnalysis(this.semantic);
      const evidence = this.cpu.evidenceFor(fn);
      if (evidence) details.cpu = { reason: evidence.reason, range: rangeOf(evidence.node) };
    }
    return details;
  }

  /** The calls a sync function's body makes when it runs: nested defs and lambdas run later, if ever. */
  private collectCalls(fn: FunctionInfo, summary: FunctionDetails): void {
    const body = fn.node.childForFieldName('body');
    if (!body) return;
    const seen = new Set<string>();
    let loopStart: FunctionSummary['loopStart'];
    let checksForLoop = false;
    const stack: Node[] = [body];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const type = node.type;
      if (type === 'function_definition' || type === 'lambda' || type === 'class_definition') continue;
      if (type === 'call') {
        const name = this.semantic.calleeName(node);
        if (name && LOOP_RUNNERS.has(name)) loopStart ??= { code: 'AIO701', callee: name, range: rangeOf(node) };
        if (name && RUNNING_LOOP_CHECKS.has(name)) checksForLoop = true;
        const site = blockingSiteOf(node, this.semantic);
        if (site && !SHORT_CRITICAL_SECTIONS.has(site.name)) summary.blocking ??= { code: site.code, callee: site.name, range: rangeOf(node) };
        else if (!site) this.addCallSite(node, summary.calls, seen);
      }
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    // A helper that looks for a running loop first is written to be called from both worlds.
    if (loopStart && !checksForLoop) summary.loopStart = loopStart;
  }

  private addCallSite(call: Node, calls: CallSite[], seen: Set<string>): void {
    if (calls.length >= MAX_CALLS_PER_FUNCTION) return;
    const callee = call.childForFieldName('function');
    if (!callee) return;
    const value = this.semantic.resolve(callee);
    let target: string | undefined;
    if (value?.kind === 'function') target = qualifiedNameOf(value.fn, this.semantic, this.moduleName);
    // Dotless names are builtins or unresolved: never a workspace function.
    else if (value?.kind === 'name' && value.name.includes('.')) target = value.name;
    if (!target || seen.has(target)) return;
    seen.add(target);
    calls.push({ target, range: rangeOf(call) });
  }
}
