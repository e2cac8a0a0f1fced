/**
 * AIO401 cancellation-swallowed: a handler in async code that catches the cancellation exception
 * (`except asyncio.CancelledError`, `except BaseException`, bare `except:`, `trio.Cancelled`,
 * `anyio.get_cancelled_exc_class()`) around code that can be cancelled, and does not re-raise it.
 * Documentation: docs/rules/AIO401.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { rangeOf, unparenthesize } from '../core/syntax';
import { cancellationOf, findCheckpoint, forEachOwnNode, jumpsIn, statementsOf } from './helpers/cancel-scopes';

const CANCELLED = new Map([
  ['asyncio.CancelledError', 'asyncio.CancelledError'],
  ['asyncio.exceptions.CancelledError', 'asyncio.CancelledError'],
  ['trio.Cancelled', 'trio.Cancelled'],
]);
/** Awaiting these on tasks the code already holds is how a task waits for another one it cancelled. */
const WAIT_FOR_TASKS = new Set(['asyncio.gather', 'asyncio.wait', 'asyncio.wait_for']);
/** Calls that end the process: the cancellation is not silently dropped, the program stops. */
const EXITS = new Set(['sys.exit', 'os._exit', 'exit', 'quit', 'os.abort']);

interface Caught {
  /** What the handler names, as written in the message (`except BaseException`). */
  clause: string;
  /** The cancellation exception it catches (`asyncio.CancelledError`). */
  exception: string;
  /** True when it names the cancellation exception itself rather than a base class or a bare `except:`. */
  explicit: boolean;
}

export default defineRule({
  meta: {
    code: 'AIO401',
    name: 'cancellation-swallowed',
    category: 'cancellation',
    defaultSeverity: 'warning',
    summary: 'A handler catches the cancellation exception in async code and does not re-raise it, so the task cannot be cancelled.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    // Split on first need: most files never get this finding, and the split costs a copy of the file.
    let lines: string[] | undefined;
    const linesOf = () => (lines ??= context.source.split(/\r?\n/));
    return {
      except_clause(handler) {
        const tryStatement = semantic.parentOf(handler);
        if (tryStatement?.type !== 'try_statement') return;
        const fn = semantic.asyncFunctionOf(tryStatement);
        const body = tryStatement.childForFieldName('body');
        const block = handler.namedChildren.find((c) => c.type === 'block');
        if (!fn || !body || !block) return;
        const value = handler.childForFieldName('value');
        const typeExpr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
        const caught = catchesCancellation(typeExpr ?? undefined, semantic);
        if (!caught) return;
        const checkpoint = findCheckpoint(body);
        if (!checkpoint || onlyWaitsForHeldTasks(body, semantic)) return;
        const statements = statementsOf(block);
        if (alwaysLeavesByException(statements, semantic) || containsRaise(block) || deliberatelyUncancels(block)) return;
        const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.namedChildren[0] : undefined;
        if (alias?.type === 'identifier' && handsOn(block, alias.text)) return;
        if (defersToLater(statements, tryStatement, fn.node)) return;
        const why = caught.explicit
          ? `does not re-raise it`
          : `catches \`${caught.exception}\` too and does not re-raise it`;
        const consequence = caught.exception === 'trio.Cancelled'
          ? 'the cancelled code carries on as if nothing happened until its next checkpoint, and a `return` here hands a result out of a cancelled scope'
          : 'the task carries on (or finishes "successfully") instead of being cancelled, so `task.cancel()`, `asyncio.timeout()` and `TaskGroup` can no longer stop it';
        const advice = caught.explicit
          ? 'do the cleanup, then end the handler with a bare `raise`'
          : 'catch `Exception` instead, or end the handler with a bare `raise`';
        context.report({
          node: typeExpr ?? handler,
          message: `\`${caught.clause}\` in \`async def ${fn.name}\` ${why}: ${consequence}; ${advice}`,
          related: [{ range: rangeOf(checkpoint), message: 'the task can be cancelled while suspended here' }],
          fixes: appendRaise(handler, statements, linesOf()),
        });
      },
    };
  },
});

function catchesCancellation(typeExpr: Node | undefined, semantic: SemanticModel): Caught | undefined {
  if (!typeExpr) {
    const exception = cancellationOf(semantic);
    return { clause: 'except:', exception, explicit: false };
  }
  const expr = unparenthesize(typeExpr);
  const candidates = expr.type === 'tuple' ? expr.namedChildren.filter((c) => c.type !== 'comment') : [expr];
  for (const candidate of candidates.map(unparenthesize)) {
    if (candidate.type === 'call') {
      if (semantic.calleeName(candidate) === 'anyio.get_cancelled_exc_class') {
        return { clause: `except ${typeExpr.text}`, exception: 'the cancellation exception', explicit: true };
      }
      continue;
    }
    const name = semantic.qualifiedName(candidate);
    if (!name) continue;
    const cancelled = CANCELLED.get(name);
    if (cancelled) return { clause: `except ${typeExpr.text}`, exception: cancelled, explicit: true };
    if (name === 'BaseException') return { clause: `except ${typeExpr.text}`, exception: cancellationOf(semantic), explicit: false };
  }
  return undefined;
}

/**
 * `task.cancel()` then `try: await task / except CancelledError: pass` is the standard way to wait
 * for a task this code cancelled: the exception caught is the other task's. Left alone when every
 * suspension in the `try` awaits tasks or futures already held (names, attributes), directly or
 * through `gather`/`wait`/`wait_for`.
 */
function onlyWaitsForHeldTasks(body: Node, semantic: SemanticModel): boolean {
  let onlyHeld = true;
  forEachOwnNode(body, (node) => {
    if (!onlyHeld) return false;
    if (node.type === 'for_statement' || node.type === 'with_statement') {
      if (node.firstChild?.type === 'async') onlyHeld = false;
      return true;
    }
    if (node.type !== 'await') return true;
    const inner = node.namedChildren[0] ? unparenthesize(node.namedChildren[0]) : undefined;
    if (!inner || isHeld(inner)) return false;
    const waiter = inner.type === 'call' ? semantic.calleeName(inner) : undefined;
    if (inner.type === 'call' && waiter && WAIT_FOR_TASKS.has(waiter)) {
      const args = (inner.childForFieldName('arguments')?.namedChildren ?? [])
        .filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
      // gather() takes the tasks themselves; wait() an iterable of them; wait_for() one, then a timeout.
      const tasks = waiter === 'asyncio.gather' ? args : args.slice(0, 1);
      if (tasks.length > 0 && tasks.every((a) => isHeld(a.type === 'list_splat' ? a.namedChildren[0] ?? a : a))) return false;
    }
    onlyHeld = false;
    return false;
  });
  return onlyHeld;
}

function isHeld(expr: Node): boolean {
  const e = unparenthesize(expr);
  if (e.type === 'identifier' || e.type === 'attribute' || e.type === 'subscript') return true;
  return (e.type === 'list' || e.type === 'tuple' || e.type === 'set') && e.namedChildren.every((c) => c.type === 'comment' || isHeld(c));
}

/** True when every way through the statements ends in a `raise` (or ends the process) before any jump out. */
function alwaysLeavesByException(statements: readonly Node[], semantic: SemanticModel, depth = 0): boolean {
  for (const statement of statements) {
    if (statementRaises(statement, semantic, depth)) return true;
    if (jumpsIn([statement]).length > 0) return false;
  }
  return false;
}

function statementRaises(statement: Node, semantic: SemanticModel, depth: number): boolean {
  switch (statement.type) {
    case 'raise_statement':
      // `raise Other(...) from exc` turns the cancellation into an error the caller sees: not silent.
      return true;
    case 'expression_statement': {
      let call = statement.namedChildren[0] ? unparenthesize(statement.namedChildren[0]) : undefined;
      if (call?.type === 'await' && call.namedChildren[0]) call = unparenthesize(call.namedChildren[0]);
      if (call?.type !== 'call') return false;
      if (EXITS.has(semantic.calleeName(call) ?? '')) return true;
      // A helper of this file that always raises (`self._convert_error(exc)`) re-raises for the handler.
      const fnNode = call.childForFieldName('function');
      const callee = fnNode ? semantic.resolve(fnNode) : undefined;
      if (callee?.kind !== 'function' || callee.fn.isLambda || depth > 2) return false;
      return alwaysLeavesByException(statementsOf(callee.fn.node.childForFieldName('body')), semantic, depth + 1);
    }
    case 'if_statement': {
      const branches = [statement.childForFieldName('consequence')];
      let hasElse = false;
      for (const alt of statement.namedChildren) {
        if (alt.type === 'elif_clause') branches.push(alt.childForFieldName('consequence'));
        if (alt.type === 'else_clause') {
          hasElse = true;
          branches.push(alt.childForFieldName('body'));
        }
      }
      return hasElse && branches.every((b) => !!b && alwaysLeavesByException(statementsOf(b), semantic, depth));
    }
    case 'with_statement':
      return alwaysLeavesByException(statementsOf(statement.childForFieldName('body')), semantic, depth);
    case 'try_statement': {
      const finallyClause = statement.namedChildren.find((c) => c.type === 'finally_clause');
      const finallyBlock = finallyClause?.namedChildren.find((c) => c.type === 'block');
      if (finallyBlock && alwaysLeavesByException(statementsOf(finallyBlock), semantic, depth)) return true;
      // Unsure what the inner handlers do with it: give the benefit of the doubt.
      return alwaysLeavesByException(statementsOf(statement.childForFieldName('body')), semantic, depth);
    }
    default:
      return false;
  }
}

/**
 * A `raise` on some path of the handler (`if not received: raise`): the author decided when the
 * cancellation may be dropped, which is beyond what the analyzer can judge.
 */
function containsRaise(block: Node): boolean {
  let found = false;
  forEachOwnNode(block, (node) => {
    if (node.type === 'raise_statement') found = true;
    return !found;
  });
  return found;
}

const LOGGING_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'print', 'format', 'str', 'repr']);

/**
 * The handler hands the caught exception to someone else: `future.set_exception(exc)`,
 * `self._add_exc(exc)`, `errors[i] = exc`. Whoever receives it will see the cancellation.
 */
function handsOn(block: Node, name: string): boolean {
  let found = false;
  forEachOwnNode(block, (node) => {
    if (found) return false;
    if (node.type !== 'identifier' || node.text !== name) return true;
    const parent = node.parent;
    if (parent?.type === 'argument_list') {
      const fn = parent.parent?.childForFieldName('function');
      const called = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      if (!called || !LOGGING_METHODS.has(called)) found = true;
    } else if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
      found = true;
    }
    return !found;
  });
  return found;
}

/**
 * `except CancelledError: cancelled = True`, then after the `try` statement `if cancelled: raise ...`:
 * the cancellation is postponed until some cleanup is done (asyncio.Condition.wait and
 * contextlib.AsyncExitStack do this). Recognized when a name the handler assigns is read again
 * after the `try` statement, and something is raised after it.
 */
function defersToLater(statements: readonly Node[], tryStatement: Node, fnNode: Node): boolean {
  const assigned = new Set<string>();
  for (const s of statements) {
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const left = expr?.type === 'assignment' ? expr.childForFieldName('left') : undefined;
    if (left?.type === 'identifier') assigned.add(left.text);
  }
  const body = fnNode.childForFieldName('body');
  if (assigned.size === 0 || !body) return false;
  let readLater = false;
  let raisesLater = false;
  forEachOwnNode(body, (node) => {
    if (node.startIndex >= tryStatement.endIndex) {
      if (node.type === 'raise_statement') raisesLater = true;
      if (node.type === 'identifier' && assigned.has(node.text)) readLater = true;
    }
    return !(readLater && raisesLater);
  });
  return readLater && raisesLater;
}

/** `asyncio.current_task().uncancel()` in the handler: swallowing on purpose, done the documented way. */
function deliberatelyUncancels(block: Node): boolean {
  let found = false;
  forEachOwnNode(block, (node) => {
    if (found) return false;
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'uncancel') found = true;
    }
    return true;
  });
  return found;
}

/** Appends a bare `raise` to a handler that has no jump of its own (after one, it would never run). */
function appendRaise(handler: Node, statements: readonly Node[], lines: readonly string[]): Fix[] {
  const last = statements[statements.length - 1];
  const first = statements[0];
  if (!last || !first || jumpsIn(statements).length > 0) return [];
  const end = rangeOf(last).end;
  let newText: string;
  if (first.startPosition.row === handler.startPosition.row) {
    if (last.endPosition.row !== handler.startPosition.row) return [];
    newText = '; raise';
  } else {
    const indent = (lines[first.startPosition.row] ?? '').slice(0, first.startPosition.column);
    if (indent.trim() !== '') return [];
    newText = `\n${indent}raise`;
  }
  return [
    {
      title: 'Re-raise the cancellation at the end of the handler (`raise`)',
      edits: [{ range: { start: end, end }, newText }],
      // The task now ends cancelled where it used to carry on: callers may rely on the old outcome.
      safe: false,
    },
  ];
}
