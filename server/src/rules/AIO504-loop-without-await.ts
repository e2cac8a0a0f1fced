/**
 * AIO504 loop-without-await: a `while True:` loop in async code that never awaits and has no way
 * out, so once it starts the event loop never runs anything else again.
 * Documentation: docs/rules/AIO504.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { rangeOf, sameNode, unparenthesize } from '../core/syntax';
import { withManagers } from './helpers/context-managers';
import { findCheckpoint, findYield, forEachOwnNode, jumpsOutOf } from './helpers/cancel-scopes';

/** Calls that end the process (or the thread), a way out of the loop. */
const EXITS = new Set(['sys.exit', 'os._exit', 'exit', 'quit', 'os.abort', 'os.kill', '_thread.exit']);

export default defineRule({
  meta: {
    code: 'AIO504',
    name: 'loop-without-await',
    category: 'structured-concurrency',
    defaultSeverity: 'warning',
    summary: 'A `while True:` loop in async code with no `await` and no way out: it freezes the event loop for good.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      while_statement(loop) {
        const fn = semantic.asyncFunctionOf(loop);
        const condition = loop.childForFieldName('condition');
        const body = loop.childForFieldName('body');
        if (!fn || !condition || !body || !alwaysTrue(condition)) return;
        if (findCheckpoint(body) || findYield(body)) return;
        if (jumpsOutOf(body).some((j) => j.type !== 'continue_statement')) return;
        if (raisesOrExits(body, semantic) || insideHandledTry(loop, fn.node, semantic)) return;
        context.report({
          node: loop,
          message: `\`while ${condition.text}:\` in \`async def ${fn.name}\` never awaits and nothing in it leaves the loop: once it starts, the event loop thread never gets back control, so no other task, callback, timeout or cancellation runs again; add an \`await\` in the loop (for a periodic job, \`await ${semantic.library}.sleep(interval)\`) or run the loop in a thread`,
          related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is a coroutine: it runs on the event loop thread` }],
        });
      },
    };
  },
});

function alwaysTrue(condition: Node): boolean {
  const expr = unparenthesize(condition);
  return expr.type === 'true' || (expr.type === 'integer' && Number(expr.text.replace(/_/g, '')) !== 0);
}

/** A `raise`, or a call that ends the process, anywhere in the loop's own code: an exception may be its way out. */
function raisesOrExits(body: Node, semantic: SemanticModel): boolean {
  let found = false;
  forEachOwnNode(body, (node) => {
    if (found) return false;
    if (node.type === 'raise_statement' || (node.type === 'call' && EXITS.has(semantic.calleeName(node) ?? ''))) found = true;
    return !found;
  });
  return found;
}

/** Inside a `try` with handlers, or a `with` that expects an exception (in the same function): the loop may well be ended by an exception it expects. */
function insideHandledTry(loop: Node, fnNode: Node, semantic: SemanticModel): boolean {
  let child = loop;
  for (let p = semantic.parentOf(loop); p && !sameNode(p, fnNode); child = p, p = semantic.parentOf(p)) {
    if (p.type === 'try_statement' && sameNode(p.childForFieldName('body'), child)) {
      if (p.namedChildren.some((c) => c.type === 'except_clause' || c.type === 'except_group_clause')) return true;
    }
    if (p.type === 'with_statement' && withManagers(p).some((m) => expectsException(m, semantic))) return true;
  }
  return false;
}

/** `contextlib.suppress(...)`, `pytest.raises(...)`, `self.assertRaises(...)`: the block is expected to end by an exception. */
function expectsException(manager: Node, semantic: SemanticModel): boolean {
  const call = unparenthesize(manager);
  if (call.type !== 'call') return false;
  const name = semantic.calleeName(call);
  if (name === 'contextlib.suppress' || name === 'pytest.raises') return true;
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  return method === 'assertRaises' || method === 'assertRaisesRegex';
}
