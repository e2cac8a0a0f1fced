/**
 * AIO708 async-function-without-await (opt-in): an `async def` whose body never awaits (no
 * `await`, `async for` or `async with`), so callers await it for nothing and any blocking work in
 * it runs on the event loop without a chance to yield.
 * Documentation: docs/rules/AIO708.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import { hasAsyncKeyword, rangeOf, sameNode } from '../core/syntax';

/** Decorators that cannot need a coroutine function; any other one might (routes, fixtures, registries). */
const HARMLESS_DECORATORS = new Set([
  'staticmethod',
  'classmethod',
  'typing.final',
  'typing_extensions.final',
  'typing.no_type_check',
]);

/** Calls that only work in the event loop's thread while it runs: being `async` is how such a function says so. */
const NEEDS_RUNNING_LOOP = new Set([
  'asyncio.get_running_loop',
  'asyncio.get_event_loop',
  'asyncio.events.get_running_loop',
  'asyncio.create_task',
  'asyncio.ensure_future',
  'asyncio.current_task',
  'asyncio.all_tasks',
  'asyncio.eager_task_factory',
  // Before 3.10 these bind to the current loop when created: a coroutine is how to create them inside it.
  'asyncio.Queue',
  'asyncio.LifoQueue',
  'asyncio.PriorityQueue',
  'asyncio.Lock',
  'asyncio.Event',
  'asyncio.Condition',
  'asyncio.Semaphore',
  'asyncio.BoundedSemaphore',
  'asyncio.Future',
  'trio.current_time',
  'trio.current_effective_deadline',
  'trio.current_root_task',
  'anyio.get_current_task',
  'anyio.get_running_tasks',
  'anyio.current_time',
  'anyio.current_effective_deadline',
  'sniffio.current_async_library',
]);

/** Methods that schedule work on a loop, task group or nursery (not thread-safe: the caller must be in the loop). */
const SCHEDULING_METHODS = new Set(['create_task', 'start_soon', 'create_future', 'call_soon', 'call_later', 'call_at']);

export default defineRule({
  meta: {
    code: 'AIO708',
    name: 'async-function-without-await',
    category: 'event-loop-misuse',
    defaultSeverity: 'information',
    summary: 'An `async def` that never awaits: callers await it for nothing, and a blocking body runs on the event loop.',
    enabledByDefault: false,
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    let references: Map<string, Node[]> | undefined;

    /** Identifiers and attribute names of the file, by name, built on first need. */
    function referencesTo(name: string): Node[] {
      if (!references) {
        references = new Map();
        for (const node of semantic.preorder) {
          if (node.type !== 'identifier') continue;
          const list = references.get(node.text);
          if (list) list.push(node);
          else references.set(node.text, [node]);
        }
      }
      return references.get(name) ?? [];
    }

    /**
     * The calls of the function in this file, all awaited on the spot; undefined when it is used in
     * any other way. Passed, stored or returned, or called without `await` (the coroutine handed to
     * `asyncio.run()`, `gather()`, a framework), it may well have to be a coroutine function.
     */
    function awaitedCalls(fn: FunctionInfo): Node[] | undefined {
      const calls: Node[] = [];
      for (const id of referencesTo(fn.name)) {
        if (sameNode(id, fn.nameNode)) continue;
        const parent = semantic.parentOf(id);
        let expr = id;
        if (parent?.type === 'attribute') {
          if (!sameNode(parent.childForFieldName('attribute'), id)) continue;
          expr = parent;
        }
        const value = semantic.resolve(expr);
        const user = semantic.parentOf(expr);
        const isCall = user?.type === 'call' && sameNode(user.childForFieldName('function'), expr);
        if (value?.kind === 'function' && value.fn === fn) {
          if (!isCall || !semantic.isAwaited(user)) return undefined;
          calls.push(user);
        } else if (!value && expr.type === 'attribute' && fn.owner && !isCall) {
          // `obj.handler` passed on, where `obj` is unknown: it may be this method.
          return undefined;
        }
      }
      return calls;
    }

    return {
      function_definition(node) {
        const fn = semantic.scopeOfNode(node)?.fn;
        if (!fn?.isAsync) return;
        // `__aenter__`, `__aexit__`, `__anext__`, `__call__` of an ASGI app: the protocol makes them async.
        if (/^__\w+__$/.test(fn.name)) return;
        if (fn.owner && fn.owner.bases.some((b) => b.text !== 'object')) return;
        if (fn.owner && isDecoratedClass(fn.owner.node, semantic)) return;
        if (fn.decorators.some((d) => !HARMLESS_DECORATORS.has(semantic.decoratorName(d) ?? ''))) return;
        // pytest collects `test_*` coroutines and runs them in a loop; tests define toy coroutines on purpose.
        if (fn.name.startsWith('test') || inTest(node, semantic)) return;
        if (fn.owner && mirrorsAsyncMethod(fn, semantic)) return;
        if (hasParameter(fn, 'task_status')) return;
        const body = node.childForFieldName('body');
        if (!body || isStub(body)) return;
        if (usesAsync(body, semantic)) return;
        const calls = awaitedCalls(fn);
        // No caller in this file: it may be a callback or an API whose users we cannot see.
        if (!calls || calls.length === 0) return;
        context.report({
          node: fn.nameNode,
          related: calls.slice(0, 3).map((call) => ({ range: rangeOf(call), message: `\`${fn.name}()\` awaited here for nothing` })),
          message: `\`async def ${fn.name}\` never awaits (no \`await\`, \`async for\` or \`async with\` in its body): every caller has to await it for nothing, and whatever it does runs on the event loop in one go; make it a plain \`def\` and drop the \`await\` at its call sites, or await the async API it was meant to call`,
        });
      },
    };
  },
});

function inTest(node: Node, semantic: SemanticModel): boolean {
  for (let outer = semantic.enclosingFunction(node); outer; outer = semantic.enclosingFunction(outer.node)) {
    if (outer.name.startsWith('test')) return true;
  }
  return false;
}

const asyncMethodOwners = new WeakMap<object, Map<string, Set<Node['id']>>>();

/** Another class of the file has an `async def` of the same name: both probably implement one interface. */
function mirrorsAsyncMethod(fn: FunctionInfo, semantic: SemanticModel): boolean {
  let owners = asyncMethodOwners.get(semantic.cacheKey);
  if (!owners) {
    owners = new Map();
    for (const node of semantic.preorder) {
      const method = node.type === 'function_definition' ? semantic.scopeOfNode(node)?.fn : undefined;
      if (!method?.isAsync || !method.owner) continue;
      const set = owners.get(method.name) ?? new Set();
      set.add(method.owner.node.id);
      owners.set(method.name, set);
    }
    asyncMethodOwners.set(semantic.cacheKey, owners);
  }
  return [...(owners.get(fn.name) ?? [])].some((id) => id !== fn.owner?.node.id);
}

function isDecoratedClass(cls: Node, semantic: SemanticModel): boolean {
  const parent = semantic.parentOf(cls);
  return parent?.type === 'decorated_definition' && parent.namedChildren.some((c) => c.type === 'decorator' && !/^@\s*(dataclasses\.)?dataclass\b/.test(c.text));
}

function hasParameter(fn: FunctionInfo, name: string): boolean {
  return fn.scope.bindings.get(name)?.some((b) => b.kind === 'parameter') ?? false;
}

/** A body made only of a docstring, `pass`, `...` and `raise` statements: a placeholder or interface. */
function isStub(body: Node): boolean {
  return body.namedChildren.every((s) => {
    if (s.type === 'comment' || s.type === 'pass_statement' || s.type === 'raise_statement') return true;
    if (s.type !== 'expression_statement' || s.namedChildren.length !== 1) return false;
    const expr = s.namedChildren[0]!;
    return expr.type === 'string' || expr.type === 'ellipsis' || expr.type === 'concatenated_string';
  });
}

/**
 * True when the body itself (not a nested def, lambda or class body) awaits, iterates or enters
 * asynchronously, yields (an async generator has no other way to be one), or needs the running loop.
 */
function usesAsync(body: Node, semantic: SemanticModel): boolean {
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'await':
      case 'yield':
        return true;
      case 'for_statement':
      case 'with_statement':
      case 'for_in_clause':
        if (hasAsyncKeyword(node)) return true;
        break;
      case 'call': {
        const callee = node.childForFieldName('function');
        if (callee?.type === 'attribute' && SCHEDULING_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) return true;
        const name = semantic.calleeName(node);
        if (name && (NEEDS_RUNNING_LOOP.has(name) || name.startsWith('trio.lowlevel.') || name.startsWith('anyio.lowlevel.'))) return true;
        break;
      }
      case 'function_definition':
      case 'lambda':
      case 'class_definition': {
        // Defaults, decorators and base classes run here; the nested body runs later, elsewhere.
        const nestedBody = node.childForFieldName('body');
        for (const c of node.namedChildren) if (!sameNode(c, nestedBody)) stack.push(c);
        continue;
      }
    }
    for (const c of node.namedChildren) stack.push(c);
  }
  return false;
}
