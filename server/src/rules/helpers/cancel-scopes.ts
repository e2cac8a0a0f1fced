/**
 * Timeouts, cancel scopes and task groups (asyncio, trio, anyio), and where a
 * coroutine's own code can be suspended: what the cancellation and
 * structured-concurrency rules (AIO4xx, AIO5xx) share.
 */
import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../core/semantic';
import { hasAsyncKeyword, unparenthesize } from '../../core/syntax';

/** Calls whose context manager cancels the code inside it after a deadline (or on demand). */
const CANCEL_SCOPES = new Set([
  'asyncio.timeout', 'asyncio.timeout_at', 'asyncio.timeouts.timeout', 'asyncio.timeouts.timeout_at',
  'trio.move_on_after', 'trio.move_on_at', 'trio.fail_after', 'trio.fail_at', 'trio.CancelScope',
  'anyio.move_on_after', 'anyio.fail_after', 'anyio.CancelScope',
]);

/** Calls that open a task group, with the word each library uses for it. */
const TASK_GROUPS = new Map([
  ['asyncio.TaskGroup', 'task group'],
  ['trio.open_nursery', 'nursery'],
  ['anyio.create_task_group', 'task group'],
]);

/** The canonical name of the cancel scope that `manager` opens (`asyncio.timeout`), if it is one. */
export function cancelScopeName(manager: Node, semantic: SemanticModel): string | undefined {
  const call = unparenthesize(manager);
  if (call.type !== 'call') return undefined;
  const name = semantic.calleeName(call);
  if (!name || !CANCEL_SCOPES.has(name)) return undefined;
  return name.replace('asyncio.timeouts.', 'asyncio.');
}

export interface TaskGroupUse {
  /** The `async with` statement. */
  statement: Node;
  /** The `asyncio.TaskGroup()` call. */
  manager: Node;
  /** `asyncio.TaskGroup`, `trio.open_nursery`, `anyio.create_task_group`. */
  api: string;
  /** "task group" or "nursery". */
  noun: string;
  /** The name bound by `as`, when there is one. */
  alias: Node | undefined;
}

/** The task groups an `async with` statement opens (usually one). */
export function taskGroupsOf(statement: Node, semantic: SemanticModel): TaskGroupUse[] {
  if (statement.type !== 'with_statement' || !hasAsyncKeyword(statement)) return [];
  const clause = statement.namedChildren.find((c) => c.type === 'with_clause');
  const groups: TaskGroupUse[] = [];
  for (const item of clause?.namedChildren ?? []) {
    if (item.type !== 'with_item') continue;
    const value = item.childForFieldName('value');
    const manager = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
    if (!manager) continue;
    const call = unparenthesize(manager);
    if (call.type !== 'call') continue;
    const api = semantic.calleeName(call);
    const noun = api ? TASK_GROUPS.get(api) : undefined;
    if (!api || !noun) continue;
    const target = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.namedChildren[0] : undefined;
    groups.push({ statement, manager, api, noun, alias: target?.type === 'identifier' ? target : undefined });
  }
  return groups;
}

const NESTED_CODE = new Set(['function_definition', 'lambda', 'class_definition']);

/**
 * Visits the nodes under `root` that run as part of the same function (nested
 * `def`s, lambdas and classes are skipped). `visit` returns false to skip a subtree.
 */
export function forEachOwnNode(root: Node, visit: (node: Node) => boolean | void): void {
  const stack: Node[] = [...root.namedChildren].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (NESTED_CODE.has(node.type)) continue;
    if (visit(node) === false) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/**
 * The first `await`, `async for` or `async with` that the code under `root` runs itself: where it can
 * be suspended. `transparent` names `async with` statements that do not suspend on their own.
 */
export function findCheckpoint(root: Node, transparent?: (asyncWith: Node) => boolean): Node | undefined {
  let found: Node | undefined;
  forEachOwnNode(root, (node) => {
    if (found) return false;
    if (node.type === 'with_statement' && transparent?.(node)) return true;
    if (node.type === 'await' || ((node.type === 'for_statement' || node.type === 'with_statement') && hasAsyncKeyword(node))) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

/** The first `yield` the code under `root` runs itself. */
export function findYield(root: Node): Node | undefined {
  let found: Node | undefined;
  forEachOwnNode(root, (node) => {
    if (found) return false;
    if (node.type === 'yield') {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

const LOOPS = new Set(['for_statement', 'while_statement']);

/**
 * The `return`, `break` and `continue` statements under `root` that jump out of it: returns
 * anywhere in the same function, breaks and continues not inside a loop that is itself under `root`.
 */
export function jumpsOutOf(root: Node): Node[] {
  return jumpsIn(root.namedChildren);
}

/** The same, for a list of statements (which may themselves be jumps). */
export function jumpsIn(roots: readonly Node[]): Node[] {
  const jumps: Node[] = [];
  const stack: Array<{ node: Node; inLoop: boolean }> = [...roots].reverse().map((node) => ({ node, inLoop: false }));
  while (stack.length > 0) {
    const { node, inLoop } = stack.pop()!;
    if (NESTED_CODE.has(node.type)) continue;
    if (node.type === 'return_statement') jumps.push(node);
    else if ((node.type === 'break_statement' || node.type === 'continue_statement') && !inLoop) jumps.push(node);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      // A loop's `else:` runs after the loop, so its break/continue belong to the outer loop.
      const loopBody = LOOPS.has(node.type) && child.type !== 'else_clause';
      stack.push({ node: child, inLoop: inLoop || loopBody });
    }
  }
  return jumps.sort((a, b) => a.startIndex - b.startIndex);
}

/** The statements of a block, without comments. */
export function statementsOf(block: Node | null | undefined): Node[] {
  return (block?.namedChildren ?? []).filter((c) => c.type !== 'comment');
}

/** The cancellation exception of the library the file uses, for messages. */
export function cancellationOf(semantic: SemanticModel): string {
  switch (semantic.library) {
    case 'trio':
      return 'trio.Cancelled';
    case 'anyio':
      return 'anyio.get_cancelled_exc_class()';
    default:
      return 'asyncio.CancelledError';
  }
}
