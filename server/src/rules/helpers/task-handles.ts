/**
 * Where a task handle or a set of tasks lives and who else touches it: a local
 * or module-level name, or `self.attr` shared by the methods of a class. The
 * task-lifecycle rules (AIO303, AIO307) use this to decide that nobody else
 * removes, awaits or hands on the object, which they can only claim when every
 * place that could do so is in this file.
 */
import type { Node } from 'web-tree-sitter';
import type { Binding, ClassInfo, Scope, SemanticModel } from '../../core/semantic';
import { logicalParent, sameNode, unparenthesize } from '../../core/syntax';
import { TASK_FACTORIES } from '../AIO301-dangling-task';

/** A call that creates an asyncio task nobody waits for by construction (not `TaskGroup.create_task`, whose group awaits it). */
export function isTaskFactoryCall(node: Node | undefined, semantic: SemanticModel): boolean {
  const call = node ? unparenthesize(node) : undefined;
  if (call?.type !== 'call') return false;
  const name = semantic.calleeName(call);
  return !!name && TASK_FACTORIES.has(name);
}

export type Holder =
  /** A plain variable: its one binding scope and every binding it has there. */
  | { kind: 'name'; name: string; scope: Scope; bindings: Binding[] }
  /** `self.attr` (or `cls.attr`) in a method of `cls`. */
  | { kind: 'attribute'; attr: string; cls: ClassInfo };

/** What `expr` (a name or `self.attr`) denotes as a storage place, if it is one we can follow. */
export function holderOf(expr: Node, semantic: SemanticModel): Holder | undefined {
  const node = unparenthesize(expr);
  if (node.type === 'identifier') {
    const binding = semantic.lookup(node.text, node);
    if (!binding) return undefined;
    for (let scope: Scope | undefined = semantic.scopeAt(node); scope; scope = scope.parent) {
      const bindings = scope.bindings.get(node.text);
      if (bindings?.includes(binding)) return { kind: 'name', name: node.text, scope, bindings };
    }
    return undefined;
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text;
    if (object?.type !== 'identifier' || !attr) return undefined;
    const self = semantic.lookup(object.text, object);
    // Only the first parameter of a method is known to be the instance (or the class).
    if (self?.kind !== 'parameter' || self.index !== 0 || !self.fn.owner) return undefined;
    return { kind: 'attribute', attr, cls: self.fn.owner };
  }
  return undefined;
}

const referenceCache = new WeakMap<object, Map<unknown, Node[]>>();

/** Every expression in the file that may denote the holder: the name's references, or any `<x>.attr`. */
export function holderReferences(holder: Holder, semantic: SemanticModel): Node[] {
  // Rules ask again for each use of the same holder (every `.cancel()`): one scan per holder keeps files linear.
  let cache = referenceCache.get(semantic.cacheKey);
  if (!cache) referenceCache.set(semantic.cacheKey, (cache = new Map()));
  const key = holder.kind === 'name' ? holder.bindings : `.${holder.attr}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const found: Node[] = [];
  cache.set(key, found);
  for (const node of candidateReferences(holder, semantic)) {
    if (holder.kind === 'name') {
      if (node.type !== 'identifier' || node.text !== holder.name) continue;
      const parent = semantic.parentOf(node);
      // `x.name`, `f(name=...)` and `def name` are not references to the variable.
      if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('attribute'), node)) continue;
      if (parent?.type === 'keyword_argument' && sameNode(parent.childForFieldName('name'), node)) continue;
      if ((parent?.type === 'function_definition' || parent?.type === 'class_definition') && sameNode(parent.childForFieldName('name'), node)) continue;
      if (parent?.type === 'global_statement' || parent?.type === 'nonlocal_statement') continue;
      const binding = semantic.lookup(node.text, node);
      if (binding && holder.bindings.includes(binding)) found.push(node);
    } else if (node.type === 'attribute' && node.childForFieldName('attribute')?.text === holder.attr) {
      // Any object's `.attr` counts: another instance, a subclass or a helper may reach the same attribute.
      found.push(node);
    }
  }
  return found;
}

/**
 * The nodes that may refer to the holder: a function's local name is used only in the top-level
 * function or method that holds it; anything else, wherever the name is written as a whole word.
 */
function candidateReferences(holder: Holder, semantic: SemanticModel): Node[] {
  if (holder.kind === 'name' && holder.scope.kind !== 'module' && holder.scope.kind !== 'class') {
    const chunk = semantic.chunkAt(holder.scope.node);
    if (chunk) return semantic.nodesOfChunk(chunk);
  }
  return semantic.nodesMentioning([holder.kind === 'name' ? holder.name : holder.attr], true);
}

/** The values assigned to the holder: its bindings' values, or every `<x>.attr = value` and the class-body `attr = value`. */
export function assignedValues(holder: Holder, references: Node[], semantic: SemanticModel): Array<{ target: Node; value: Node | undefined; annotation: Node | undefined }> {
  if (holder.kind === 'name') {
    return holder.bindings.map((b) =>
      b.kind === 'assign' ? { target: b.node, value: b.value, annotation: b.annotation } : { target: b.node, value: undefined, annotation: undefined },
    );
  }
  const result: Array<{ target: Node; value: Node | undefined; annotation: Node | undefined }> = [];
  for (const ref of references) {
    const parent = semantic.parentOf(ref);
    if (parent?.type === 'assignment' && sameNode(parent.childForFieldName('left'), ref)) {
      result.push({ target: ref, value: parent.childForFieldName('right') ?? undefined, annotation: parent.childForFieldName('type') ?? undefined });
    }
  }
  for (const b of holder.cls.scope.bindings.get(holder.attr) ?? []) {
    result.push(b.kind === 'assign' ? { target: b.node, value: b.value, annotation: b.annotation } : { target: b.node, value: undefined, annotation: undefined });
  }
  return result;
}

/** True when `ref` is the target of a plain assignment (`x = ...`, `self.x = ...`, `x: T = ...`). */
export function isAssignmentTarget(ref: Node, semantic: SemanticModel): boolean {
  const parent = semantic.parentOf(ref);
  return parent?.type === 'assignment' && sameNode(parent.childForFieldName('left'), ref);
}

/** The method called on `ref` when `ref` is the object of a call `ref.method(...)`. */
export function calledMethod(ref: Node, semantic: SemanticModel): { name: string; call: Node } | undefined {
  const { parent, child } = logicalParent(ref, semantic.parentOf);
  if (parent?.type !== 'attribute' || !sameNode(parent.childForFieldName('object'), child)) return undefined;
  const call = semantic.parentOf(parent);
  if (call?.type !== 'call' || !sameNode(call.childForFieldName('function'), parent)) return undefined;
  return { name: parent.childForFieldName('attribute')?.text ?? '', call };
}

/**
 * True when `ref` is only looked at, never handed on: tested for truth (`if x:`, `x and ...`),
 * compared (`x is None`, `t in x`), or measured/printed with a builtin that keeps nothing.
 */
export function isOnlyInspected(ref: Node, semantic: SemanticModel): boolean {
  const { parent, child } = logicalParent(ref, semantic.parentOf);
  if (!parent) return false;
  switch (parent.type) {
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      return sameNode(parent.childForFieldName('condition'), child);
    case 'not_operator':
    case 'comparison_operator':
      return true;
    case 'boolean_operator': {
      // `x or default` hands `x` on; only a boolean operator used as a condition merely tests it.
      const { parent: outer } = logicalParent(parent, semantic.parentOf);
      return !!outer && ['if_statement', 'elif_clause', 'while_statement', 'not_operator', 'boolean_operator', 'assert_statement'].includes(outer.type);
    }
    case 'argument_list': {
      const call = semantic.parentOf(parent);
      const callee = call?.type === 'call' ? semantic.calleeName(call) : undefined;
      return !!callee && ['len', 'bool', 'print', 'repr', 'str', 'id'].includes(callee) && parent.namedChildren.length === 1;
    }
    default:
      return false;
  }
}
