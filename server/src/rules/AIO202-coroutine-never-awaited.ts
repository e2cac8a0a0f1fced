/**
 * AIO202 coroutine-never-awaited: a coroutine stored in a variable that is never awaited, returned or passed on.
 * Documentation: docs/rules/AIO202.md
 */
import { coroutineRule } from './helpers/coroutine-rule';
import { classifyUse, usesOfBinding } from './helpers/usage';

export default coroutineRule(
  {
    code: 'AIO202',
    name: 'coroutine-never-awaited',
    category: 'missing-await',
    defaultSeverity: 'error',
    summary: 'A coroutine is stored in a variable that is never awaited, returned or passed on.',
  },
  ({ use, spelled }, { semantic }) => {
    if (use.kind !== 'assigned') return undefined;
    const keepsIt = use.targets.some((target) =>
      usesOfBinding(target, semantic).some((ref) => {
        const kind = classifyUse(ref, semantic).kind;
        return kind === 'awaited' || kind === 'consumed' || kind === 'assigned';
      }),
    );
    if (keepsIt) return undefined;
    const name = use.targets[use.targets.length - 1]!.text;
    return `the coroutine from \`${spelled}()\` is stored in \`${name}\` but never awaited, returned or passed on, so its body never runs; write \`${name} = await ${spelled}(...)\``;
  },
);
