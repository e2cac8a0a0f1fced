/**
 * AIO602 thread-lock-across-await: `with lock:` on a threading lock inside a coroutine whose body
 * awaits, so the lock stays held while the task is suspended.
 * Documentation: docs/rules/AIO602.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import { withManagers } from './helpers/context-managers';
import { hasAsyncKeyword, rangeOf, unparenthesize } from '../core/syntax';

const THREAD_LOCKS = new Set(['threading.Lock', 'threading.RLock', 'threading.Semaphore', 'threading.Condition']);

export default defineRule({
  meta: {
    code: 'AIO602',
    name: 'thread-lock-across-await',
    category: 'threads-processes',
    defaultSeverity: 'warning',
    summary: 'A threading lock is held across an `await`: another task taking it blocks the event loop for good.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      with_statement(statement) {
        if (hasAsyncKeyword(statement)) return;
        const fn = semantic.asyncFunctionOf(statement);
        const body = statement.childForFieldName('body');
        if (!fn || !body) return;
        const firstAwait = findAwait(body);
        if (!firstAwait) return;
        for (const manager of withManagers(statement)) {
          const value = semantic.resolve(unparenthesize(manager));
          if (value?.kind !== 'instance' || !THREAD_LOCKS.has(value.type)) continue;
          context.report({
            node: manager,
            message: `\`${manager.text}\` is a \`${value.type}\` held across an \`await\` in \`async def ${fn.name}\`: while this task is suspended, another task reaching the same lock blocks the event loop thread (a deadlock, since this task can then never resume to release it); use an \`asyncio.Lock\` with \`async with\`, or keep awaits out of the locked block`,
            related: [{ range: rangeOf(firstAwait), message: 'the task is suspended here with the lock held' }],
          });
        }
      },
    };
  },
});

function findAwait(body: Node): Node | undefined {
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'await' || ((node.type === 'for_statement' || node.type === 'with_statement') && hasAsyncKeyword(node))) return node;
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}
