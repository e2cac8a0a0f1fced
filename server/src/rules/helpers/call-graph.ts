/**
 * Follows calls from a sync function through the functions it calls, in this
 * file and in other modules of the workspace, to the first blocking call it
 * reaches: the chain `read_config -> _load -> open` that AIO112 reports.
 * Bounded in depth and in the number of functions visited; cycles end a path.
 */
import type { FunctionInfo, SemanticModel } from '../../core/semantic';
import type { Range } from '../../core/types';
import type { BlockingSite, FunctionSummary } from '../../core/workspace-types';
import type { RelatedInformation } from '../../core/types';
import type { Node } from 'web-tree-sitter';
import { FunctionSummarizer } from '../../workspace/summary';

/** A function of the call graph: its summary, and its file when that is not the analyzed one. */
export interface GraphFunction {
  name: string;
  summary: FunctionSummary;
  uri?: string;
}

export interface BlockingChain {
  /** The functions called, in order, from the one called in async code to the one that blocks. */
  hops: Array<{ fn: GraphFunction; call: Range | undefined }>;
  code: string;
  callee: string;
}

const MAX_DEPTH = 6;
const MAX_VISITS = 2000;

export class CallGraph {
  private readonly summarizer: FunctionSummarizer;
  private readonly moduleName: string;
  private localByQualname: Map<string, FunctionInfo> | undefined;
  private readonly memo = new Map<string, BlockingChain | null>();
  private visits = 0;

  constructor(private readonly semantic: SemanticModel) {
    this.moduleName = semantic.workspace?.moduleName ?? '__main__';
    this.summarizer = new FunctionSummarizer(semantic, this.moduleName);
  }

  local(fn: FunctionInfo): GraphFunction {
    return { name: fn.owner ? `${fn.owner.name}.${fn.name}` : fn.name, summary: this.summarizer.summarize(fn) };
  }

  /** A function by absolute qualified name: in this file first (the editor's text), then the workspace. */
  resolve(target: string): GraphFunction | undefined {
    const prefix = `${this.moduleName}.`;
    if (target.startsWith(prefix)) {
      const fn = this.localFunctions().get(target.slice(prefix.length));
      if (fn) return this.local(fn);
    }
    const external = this.semantic.workspace?.findFunction(target);
    if (!external) return undefined;
    return { name: external.summary.qualname, summary: external.summary, uri: external.module.uri };
  }

  /** The first chain from `start` (a sync function) to a blocking call whose rule `wanted` accepts. */
  blockingChain(start: GraphFunction, wanted: (code: string) => boolean): BlockingChain | undefined {
    return this.chainTo(start, 'blocking', (s) => (s.blocking && wanted(s.blocking.code) ? s.blocking : undefined));
  }

  /** The first chain from `start` to a function for which `pick` finds a site; `kind` names what `pick` looks for (memo key). */
  chainTo(start: GraphFunction, kind: string, pick: (summary: FunctionSummary) => BlockingSite | undefined): BlockingChain | undefined {
    return this.walk(start, kind, pick, 0, new Set()) ?? undefined;
  }

  private walk(
    fn: GraphFunction,
    kind: string,
    pick: (summary: FunctionSummary) => BlockingSite | undefined,
    depth: number,
    active: Set<string>,
  ): BlockingChain | null {
    const key = `${kind}#${fn.uri ?? ''}#${fn.summary.qualname}#${fn.summary.nameRange.start.line}`;
    const memo = this.memo.get(key);
    if (memo !== undefined) return memo;
    const { summary } = fn;
    if (summary.isAsync || !summary.plainDecorators || active.has(key) || depth > MAX_DEPTH || this.visits++ > MAX_VISITS) return null;
    let found: BlockingChain | null = null;
    const site = pick(summary);
    if (site) {
      found = { hops: [{ fn, call: site.range }], code: site.code, callee: site.callee };
    } else {
      active.add(key);
      for (const site of summary.calls) {
        const next = this.resolve(site.target);
        if (!next) continue;
        const rest = this.walk(next, kind, pick, depth + 1, active);
        if (rest) {
          found = { ...rest, hops: [{ fn, call: site.range }, ...rest.hops] };
          break;
        }
      }
      active.delete(key);
    }
    // A path cut short by a cycle is not a verdict on the function: only remember results reached at the top.
    if (found || depth === 0) this.memo.set(key, found);
    return found;
  }

  private localFunctions(): Map<string, FunctionInfo> {
    if (this.localByQualname) return this.localByQualname;
    const map = new Map<string, FunctionInfo>();
    for (const [name, bindings] of this.semantic.module.bindings) {
      const binding = bindings[bindings.length - 1];
      if (binding?.kind === 'function') map.set(name, binding.fn);
      else if (binding?.kind === 'class') {
        for (const [methodName, methods] of binding.cls.scope.bindings) {
          const method = methods[methods.length - 1];
          if (method?.kind === 'function') map.set(`${name}.${methodName}`, method.fn);
        }
      }
    }
    this.localByQualname = map;
    return map;
  }
}

/** The function a call in async code starts the graph from: a sync def of this file, or a workspace function. */
export function startOf(fnNode: Node, semantic: SemanticModel, graph: CallGraph): GraphFunction | undefined {
  const value = semantic.resolve(fnNode);
  if (value?.kind === 'function') return value.fn.isLambda ? undefined : graph.local(value.fn);
  if (value?.kind === 'name' && value.name.includes('.')) return graph.resolve(value.name);
  return undefined;
}

/** One clickable location per hop: where each function makes the next call, then the final call. */
export function chainInformation(chain: BlockingChain, effect: (code: string) => string): RelatedInformation[] {
  return chain.hops.map(({ fn, call }, i) => {
    const next = chain.hops[i + 1];
    const message = next
      ? `\`${fn.name}\` calls \`${next.fn.name}\` here`
      : `\`${fn.name}\` calls \`${chain.callee}()\` here: ${effect(chain.code)} (${chain.code})`;
    return { range: call ?? fn.summary.nameRange, message, ...(fn.uri ? { uri: fn.uri } : {}) };
  });
}
