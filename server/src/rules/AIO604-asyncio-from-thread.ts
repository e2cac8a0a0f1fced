/**
 * AIO604 asyncio-from-thread: a function that runs on a worker thread uses the event loop or an
 * asyncio object directly (`loop.call_soon`, `asyncio.create_task`, `event.set()`, ...), which is
 * only safe on the loop's own thread.
 * Documentation: docs/rules/AIO604.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import { positionalArguments, rangeOf, unparenthesize } from '../core/syntax';
import { moduleReference } from './helpers/fixes';
import { threadLaunchOf, type ThreadLaunch } from './helpers/workers';

const LOOP = 'asyncio.AbstractEventLoop';

/** Loop methods that must run on the loop thread, and what to say instead. */
const LOOP_METHODS = new Map<string, string>([
  ['call_soon', 'use `call_soon_threadsafe()`, which also wakes the loop up'],
  ['call_later', 'schedule it from the loop thread: `loop.call_soon_threadsafe(loop.call_later, ...)`'],
  ['call_at', 'schedule it from the loop thread: `loop.call_soon_threadsafe(loop.call_at, ...)`'],
  ['create_task', 'use `asyncio.run_coroutine_threadsafe(coro, loop)`, which returns a `concurrent.futures.Future` this thread can wait on'],
  ['create_future', 'create the future on the loop thread, or use a `concurrent.futures.Future` here'],
  ['stop', 'use `loop.call_soon_threadsafe(loop.stop)`'],
]);
/** Method names that only event loops have: trusted even when the receiver (a parameter, say) cannot be resolved. */
const LOOP_ONLY_NAMES = new Set(['call_soon', 'call_later', 'call_at']);

const PASS_LOOP = 'get the loop in the coroutine that starts the thread and pass it in';
/** asyncio functions that need a loop running in the calling thread: what happens on a worker thread, and what to do. */
const LOOP_FUNCTIONS = new Map<string, string>([
  ['asyncio.get_running_loop', `it raises \`RuntimeError: no running event loop\`; ${PASS_LOOP}`],
  ['asyncio.get_event_loop', `it raises \`RuntimeError\` (there is no current event loop in a non-main thread) or returns a loop other than the one running your coroutines; ${PASS_LOOP}`],
  ['asyncio.create_task', 'it raises `RuntimeError: no running event loop`; use `asyncio.run_coroutine_threadsafe(coro, loop)`'],
  ['asyncio.ensure_future', 'it raises `RuntimeError` (or, on old Pythons, schedules the coroutine on a loop nobody runs); use `asyncio.run_coroutine_threadsafe(coro, loop)`'],
  ['asyncio.current_task', 'it raises `RuntimeError: no running event loop`; look the task up on the loop thread'],
  ['asyncio.all_tasks', 'it raises `RuntimeError: no running event loop`; list the tasks on the loop thread'],
]);

const QUEUE_METHODS = ['put_nowait', 'get_nowait'];
/** Methods of asyncio (and trio/anyio) objects that touch the loop's state; keyed by type. */
const OBJECT_METHODS = new Map<string, readonly string[]>([
  ['asyncio.Future', ['set_result', 'set_exception', 'cancel', 'add_done_callback']],
  ['asyncio.Task', ['cancel', 'add_done_callback']],
  ['asyncio.Event', ['set', 'clear']],
  ['asyncio.Queue', QUEUE_METHODS],
  ['asyncio.PriorityQueue', QUEUE_METHODS],
  ['asyncio.LifoQueue', QUEUE_METHODS],
  ['asyncio.Lock', ['release']],
  ['asyncio.Semaphore', ['release']],
  ['asyncio.BoundedSemaphore', ['release']],
  ['trio.Event', ['set']],
  ['anyio.Event', ['set']],
]);

/** A thread that creates and runs its own loop may use that loop freely. */
const OWN_LOOP = new Set([
  'asyncio.run', 'asyncio.new_event_loop', 'asyncio.set_event_loop', 'asyncio.Runner', `${LOOP}.run_until_complete`,
  `${LOOP}.run_forever`, 'trio.run', 'anyio.run', 'uvloop.run', 'uvloop.new_event_loop',
]);

const GET_EVENT_LOOP = new Set(['asyncio.get_event_loop']);

export default defineRule({
  meta: {
    code: 'AIO604',
    name: 'asyncio-from-thread',
    category: 'threads-processes',
    defaultSeverity: 'warning',
    summary: 'A function running on a worker thread uses the event loop or an asyncio object, which are not thread-safe.',
    triggers: ['asyncio', 'trio', 'anyio', 'call_soon', 'call_later', 'call_at'],
  },
  create(context) {
    const { semantic } = context;
    const ownLoop = new Map<number, boolean>();
    let customPolicy: boolean | undefined;
    return {
      call(call) {
        const fn = semantic.enclosingFunction(call);
        // A coroutine function is never a thread's target (calling it there only makes a coroutine).
        if (!fn || fn.isAsync) return;
        // The cheap question first: where a function runs searches the whole file.
        const misuse = threadUnsafeUse(call, semantic);
        if (!misuse) return;
        const launch = threadLaunchOf(semantic, fn);
        if (!launch) return;
        let runsOwnLoop = ownLoop.get(fn.node.id);
        if (runsOwnLoop === undefined) {
          // A custom policy (tornado's AnyThreadEventLoopPolicy, say) can give every thread a loop of its own.
          runsOwnLoop = callsAny(fn, OWN_LOOP, semantic) || ((customPolicy ??= setsPolicy(semantic)) && callsAny(fn, GET_EVENT_LOOP, semantic));
          ownLoop.set(fn.node.id, runsOwnLoop);
        }
        if (runsOwnLoop) return;
        const where = `${fn.isLambda ? 'this lambda' : `\`${fn.name}\``}, which runs on a worker thread (${launch.api}, line ${launch.site.startPosition.row + 1})`;
        context.report({
          node: call,
          message: `\`${misuse.what}\` is called in ${where}: ${misuse.why}${misuse.kind === 'loop-function' ? ' ' : '; '}${typeof misuse.advice === 'string' ? misuse.advice : misuse.advice(loopInScope(call, fn, semantic) ?? 'loop')}`,
          related: relatedFor(fn, launch),
          fixes: fixesFor(call, misuse, fn, semantic),
        });
      },
    };
  },
});

interface Misuse {
  kind: 'loop-method' | 'loop-function' | 'object-method';
  what: string;
  why: string;
  advice: string | ((loop: string) => string);
  method?: string;
  /** The receiver of a method call. */
  receiver?: Node;
  /** The asyncio function called, for `loop-function`. */
  name?: string;
}

function threadUnsafeUse(call: Node, semantic: SemanticModel): Misuse | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const name = semantic.calleeName(call);
  if (name && LOOP_FUNCTIONS.has(name)) {
    return { kind: 'loop-function', what: `${callee.text}()`, why: 'no event loop runs in this thread, so', advice: LOOP_FUNCTIONS.get(name)!, name };
  }
  if (callee.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  if (!receiver) return undefined;
  const value = semantic.resolve(unparenthesize(receiver));
  const isLoop = value?.kind === 'instance' && value.type === LOOP;
  if (LOOP_METHODS.has(method) && (isLoop || (value === undefined && LOOP_ONLY_NAMES.has(method)))) {
    return { kind: 'loop-method', what: `${callee.text}()`, why: 'the event loop is not thread-safe: it is not woken up to run what you schedule, and its internal state can be corrupted', advice: LOOP_METHODS.get(method)!, method, receiver };
  }
  if (value?.kind !== 'instance') return undefined;
  const methods = OBJECT_METHODS.get(value.type);
  if (!methods?.includes(method)) return undefined;
  const library = value.type.split('.')[0]!;
  const advice = library === 'asyncio'
    ? (loop: string) => `run it on the loop thread: \`${loop}.call_soon_threadsafe(${receiver.text}.${method}${positionalArguments(call).length ? ', ...' : ''})\``
    : () => `run it on the ${library} thread: \`${library}.from_thread.run_sync(${receiver.text}.${method})\``;
  return { kind: 'object-method', what: `${callee.text}()`, why: `\`${value.type}\` is not thread-safe: changing it from another thread races with the event loop, which may not even notice (its waiters stay asleep), and can corrupt its state`, advice, method, receiver };
}

function relatedFor(fn: FunctionInfo, launch: ThreadLaunch) {
  return [
    { range: rangeOf(launch.site), message: `\`${fn.isLambda ? 'the lambda' : fn.name}\` is run on another thread here` },
    ...(fn.isLambda ? [] : [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is defined here` }]),
  ];
}

function setsPolicy(semantic: SemanticModel): boolean {
  return semantic.mentions('set_event_loop_policy') && semantic.nodesMentioning(['set_event_loop_policy']).some((node) => node.type === 'call' && semantic.calleeName(node) === 'asyncio.set_event_loop_policy');
}

function callsAny(fn: FunctionInfo, names: ReadonlySet<string>, semantic: SemanticModel): boolean {
  const body = fn.node.childForFieldName('body');
  if (!body) return false;
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'call' && names.has(semantic.calleeName(node) ?? '')) return true;
    if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') continue;
    for (const c of node.namedChildren) stack.push(c);
  }
  return false;
}

function fixesFor(call: Node, misuse: Misuse, fn: FunctionInfo, semantic: SemanticModel): Fix[] {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return [];
  const items = args.namedChildren.filter((a) => a.type !== 'comment');
  const plain = items.every((a) => a.type !== 'keyword_argument' && !a.type.endsWith('splat'));
  const argsText = items.map((a) => a.text).join(', ');
  const dropped = semantic.parentOf(call)?.type === 'expression_statement';
  const receiver = misuse.receiver?.text;
  if (misuse.kind === 'loop-method' && misuse.method === 'call_soon') {
    const attribute = call.childForFieldName('function')?.childForFieldName('attribute');
    if (!attribute) return [];
    // Same arguments, same Handle returned; the only difference is that it is safe from any thread.
    return [{ title: 'Use `call_soon_threadsafe()`', edits: [{ range: rangeOf(attribute), newText: 'call_soon_threadsafe' }], safe: true }];
  }
  if (!dropped || !plain) return [];
  if (misuse.kind === 'loop-method' && receiver && ['call_later', 'call_at', 'stop'].includes(misuse.method!)) {
    const rest = argsText ? `, ${argsText}` : '';
    return [{
      title: `Schedule it through \`${receiver}.call_soon_threadsafe()\``,
      edits: [{ range: rangeOf(call), newText: `${receiver}.call_soon_threadsafe(${receiver}.${misuse.method}${rest})` }],
      // It now runs a little later, on the loop thread; its errors and return value stay there.
      safe: false,
    }];
  }
  const loopFromCall = misuse.kind === 'loop-method' && misuse.method === 'create_task' ? receiver : undefined;
  const loop = loopFromCall ?? loopInScope(call, fn, semantic);
  if (!loop) return [];
  if ((misuse.method === 'create_task' || misuse.name === 'asyncio.create_task' || misuse.name === 'asyncio.ensure_future') && items.length === 1) {
    const asyncio = moduleReference(semantic, 'asyncio');
    return [{
      title: `Use \`asyncio.run_coroutine_threadsafe(..., ${loop})\``,
      edits: [...asyncio.edits, { range: rangeOf(call), newText: `${asyncio.name}.run_coroutine_threadsafe(${argsText}, ${loop})` }],
      safe: false,
    }];
  }
  const value = misuse.receiver ? semantic.resolve(unparenthesize(misuse.receiver)) : undefined;
  if (misuse.kind === 'object-method' && receiver && misuse.method !== 'add_done_callback' && value?.kind === 'instance' && value.type.startsWith('asyncio.')) {
    return [{
      title: `Run it on the loop thread: \`${loop}.call_soon_threadsafe(${receiver}.${misuse.method}${argsText ? ', ...' : ''})\``,
      edits: [{ range: rangeOf(call), newText: `${loop}.call_soon_threadsafe(${receiver}.${misuse.method}${argsText ? `, ${argsText}` : ''})` }],
      // The change now happens a moment later, and any error it raises surfaces on the loop, not here.
      safe: false,
    }];
  }
  return [];
}

/** An expression for the event loop that code at `call` can use: a local, parameter or global bound to one, or `self.<attr>`. */
function loopInScope(call: Node, fn: FunctionInfo, semantic: SemanticModel): string | undefined {
  const isLoop = (node: Node) => {
    const value = semantic.resolve(node);
    return value?.kind === 'instance' && value.type === LOOP;
  };
  for (let scope: typeof fn.scope | undefined = semantic.scopeAt(call); scope; scope = scope.parent) {
    if (scope.kind === 'class') continue;
    for (const name of scope.bindings.keys()) {
      const binding = semantic.lookup(name, call);
      if (!binding || (scope.kind !== 'module' && binding.at > call.startIndex)) continue;
      const value = semantic.bindingValue(binding, 0);
      if (value?.kind === 'instance' && value.type === LOOP) return name;
    }
    if (scope === fn.scope && fn.owner) {
      const self = [...fn.scope.bindings.values()].flat().find((b) => b.kind === 'parameter' && b.index === 0);
      if (self && semantic.bindingValue(self, 0)?.kind === 'object') {
        for (const [attr, { value }] of semantic.instanceAttributesOf(fn.owner)) if (isLoop(value)) return `${self.node.text}.${attr}`;
      }
    }
  }
  return undefined;
}
