/**
 * Whether a task or future kept in a variable is ever observed: awaited,
 * passed on, returned, stored, or given a done-callback / `.result()` /
 * `.exception()` call. An unobserved one loses its exception silently.
 */
import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../core/semantic';
import { logicalParent } from '../../core/syntax';
import { classifyUse, usesOfBinding } from './usage';

const OBSERVING_METHODS = new Set(['add_done_callback', 'result', 'exception']);

export function isEverObserved(target: Node, semantic: SemanticModel): boolean {
  return usesOfBinding(target, semantic).some((ref) => {
    const { parent } = logicalParent(ref, semantic.parentOf);
    if (parent?.type === 'attribute') {
      return OBSERVING_METHODS.has(parent.childForFieldName('attribute')?.text ?? '');
    }
    const kind = classifyUse(ref, semantic).kind;
    return kind === 'awaited' || kind === 'consumed' || kind === 'assigned';
  });
}
