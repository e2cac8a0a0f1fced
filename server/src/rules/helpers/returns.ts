/** Whether a same-file function can return a value (a `return expr` outside nested functions), or is a generator. */
import type { Node } from 'web-tree-sitter';
import type { FunctionInfo, SemanticModel } from '../../core/semantic';

/** A plain `def` whose calls always evaluate to None. */
export function alwaysReturnsNone(fn: FunctionInfo, semantic: SemanticModel): boolean {
  if (fn.isAsync || fn.isLambda || semantic.isGenerator(fn) || fn.decorators.length > 0) return false;
  const body = fn.node.childForFieldName('body');
  if (!body) return false;
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'return_statement' && node.namedChildren.some((c) => c.type !== 'comment' && c.type !== 'none')) return false;
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') continue;
    for (const c of node.namedChildren) stack.push(c);
  }
  return true;
}
