/**
 * AIO503 busy-wait-polling: `while not flag: await asyncio.sleep(...)`, a loop that only sleeps until
 * some state set elsewhere in the program changes, where an Event would wake it at the right moment.
 * Documentation: docs/rules/AIO503.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import { forEachDescendant, rangeOf, unparenthesize } from '../core/syntax';
import { statementsOf } from './helpers/cancel-scopes';

const SLEEPS = new Set([
  'asyncio.sleep', 'trio.sleep', 'trio.sleep_until', 'trio.lowlevel.checkpoint',
  'anyio.sleep', 'anyio.sleep_until', 'anyio.lowlevel.checkpoint',
]);

export default defineRule({
  meta: {
    code: 'AIO503',
    name: 'busy-wait-polling',
    category: 'structured-concurrency',
    defaultSeverity: 'warning',
    summary: 'A loop that only sleeps until a flag changes: wait on an Event instead of polling.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      while_statement(loop) {
        const fn = semantic.asyncFunctionOf(loop);
        const condition = loop.childForFieldName('condition');
        const body = loop.childForFieldName('body');
        if (!fn || !condition || !body || !pollsProgramState(condition)) return;
        const statements = statementsOf(body).filter((s) => s.type !== 'pass_statement');
        const only = statements[0];
        if (statements.length !== 1 || only?.type !== 'expression_statement') return;
        const awaited = only.namedChildren[0] ? unparenthesize(only.namedChildren[0]) : undefined;
        const call = awaited?.type === 'await' && awaited.namedChildren[0] ? unparenthesize(awaited.namedChildren[0]) : undefined;
        const sleep = call?.type === 'call' ? semantic.calleeName(call) : undefined;
        if (!call || !sleep || !SLEEPS.has(sleep)) return;
        const library = sleep.split('.')[0]!;
        const wake = `${library}.Event`;
        context.report({
          node: loop,
          message: `\`while ${shorten(condition.text)}: await ${shorten(call.text)}\` in \`async def ${fn.name}\` polls for a change made elsewhere in the program: the task wakes up again and again for nothing, and notices the change only after up to one more sleep; have the code that makes the change set an \`${wake}\`, and \`await event.wait()\` here`,
          related: [{ range: rangeOf(call), message: 'the only thing the loop does' }],
        });
      },
    };
  },
});

/**
 * True for a condition built only from names, attributes, constants and operators, such as
 * `not self.ready` or `state.value != "done"`: state that other tasks of this program change.
 * A call (`path.exists()`, `proc.poll()`) may check the outside world, which no Event can signal;
 * a constant-true condition is a periodic loop, not a wait.
 */
function pollsProgramState(condition: Node): boolean {
  const expr = unparenthesize(condition);
  if (expr.type === 'true' || expr.type === 'integer' || expr.type === 'string' || expr.type === 'false' || expr.type === 'none') return false;
  let plain = true;
  forEachDescendant(condition, (node) => {
    if (node.type === 'call' || node.type === 'await' || node.type === 'named_expression' || node.type === 'lambda') plain = false;
    return plain;
  });
  return plain && condition.type !== 'call';
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 50 ? `${oneLine.slice(0, 47)}...` : oneLine;
}
