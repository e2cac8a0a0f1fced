/**
 * Whether a task or future kept in a variable is ever used: awaited, passed
 * on, returned, stored, or any of its methods called. One that is never used
 * loses its exception silently.
 */
import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../core/semantic';
import { logicalParent } from '../../core/syntax';
import { classifyUse, usesOfBinding } from './usage';

/**
 * True when the code does anything with the handle beyond testing its truth or printing it:
 * awaiting it, passing it on, or calling any of its methods. `t.cancel()` or `t.done()` show the
 * author tracks the task; whether a cancelled task is then awaited is a separate question.
 */
export function isEverObserved(target: Node, semantic: SemanticModel): boolean {
  return usesOfBinding(target, semantic).some((ref) => {
    const { parent } = logicalParent(ref, semantic.parentOf);
    if (parent?.type === 'attribute') return true;
    const kind = classifyUse(ref, semantic).kind;
    return kind === 'awaited' || kind === 'consumed' || kind === 'assigned';
  });
}
