/**
 * How the value of an expression is used: awaited, thrown away, kept in a
 * name, tested for truth, used as a plain value, or handed on. The missing-await
 * and task rules share this to decide whether a coroutine, task or future can
 * still be observed by someone.
 */
import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../core/semantic';
import { COMPREHENSION_TYPES, hasAsyncKeyword, logicalParent, sameNode } from '../../core/syntax';

export type Use =
  | { kind: 'awaited' }
  | { kind: 'discarded' }
  /** Kept only in local variables (several with `a = b = value`). */
  | { kind: 'assigned'; targets: Node[] }
  | { kind: 'condition' }
  | { kind: 'value'; how: string }
  | { kind: 'consumed' };

/** Builtins that use their argument as a plain value (and so never await it). */
const VALUE_CONSUMERS = new Set([
  'len', 'str', 'int', 'float', 'bool', 'list', 'tuple', 'set', 'frozenset', 'dict', 'sorted', 'sum', 'repr',
  'print', 'iter', 'next', 'min', 'max', 'any', 'all', 'enumerate', 'zip', 'json.dumps', 'bytes', 'abs', 'round',
]);

/**
 * True when nothing can ever reach the value: thrown away directly, only tested
 * for truth, or put in a container, generator or `with` that is itself thrown away.
 */
export function isDropped(expr: Node, semantic: SemanticModel): boolean {
  for (let current = expr, steps = 0; steps < 16; steps++) {
    const use = classifyUse(current, semantic);
    if (use.kind === 'discarded' || use.kind === 'condition') return true;
    if (use.kind === 'value' && use.how === CONTEXT_MANAGER_USE) return true;
    const { parent, child } = logicalParent(current, semantic.parentOf);
    if (!parent) return false;
    const inContainer = ['list', 'tuple', 'set', 'expression_list'].includes(parent.type);
    const generatorBody = COMPREHENSION_TYPES.has(parent.type) && sameNode(parent.childForFieldName('body'), child);
    if (!inContainer && !generatorBody) return false;
    current = parent;
  }
  return false;
}

const CONTEXT_MANAGER_USE = 'used as a context manager';

/** Driving a coroutine by hand (`coro.send(None)`, `coro.__await__()`, `coro.close()`) is using it on purpose. */
const COROUTINE_PROTOCOL = new Set([
  '__await__', 'send', 'throw', 'close', 'cr_frame', 'cr_await', 'cr_code', 'cr_running', 'cr_origin', 'cr_suspended',
  '__name__', '__qualname__',
]);

export function classifyUse(expr: Node, semantic: SemanticModel): Use {
  const { parent, child } = logicalParent(expr, semantic.parentOf);
  if (!parent) return { kind: 'consumed' };
  const isField = (field: string) => sameNode(parent.childForFieldName(field), child);
  switch (parent.type) {
    case 'await':
      return { kind: 'awaited' };
    case 'expression_statement':
      return { kind: 'discarded' };
    case 'assignment': {
      if (!isField('right')) return { kind: 'consumed' };
      // `a = b = value` nests assignments; collect every target of the chain.
      let top = parent;
      for (let up = semantic.parentOf(top); up?.type === 'assignment' && sameNode(up.childForFieldName('right'), top); up = semantic.parentOf(top)) top = up;
      const targets: Node[] = [];
      for (let a: Node | null = top; a?.type === 'assignment'; a = a.childForFieldName('right')) {
        const left = a.childForFieldName('left');
        if (left?.type !== 'identifier' || !isLocalVariable(left, semantic)) return { kind: 'consumed' };
        targets.push(left);
      }
      return targets.length > 0 ? { kind: 'assigned', targets } : { kind: 'consumed' };
    }
    case 'named_expression': {
      const name = parent.childForFieldName('name');
      return isField('value') && name && isLocalVariable(name, semantic) ? { kind: 'assigned', targets: [name] } : { kind: 'consumed' };
    }
    case 'augmented_assignment':
      return isField('right') ? { kind: 'value', how: `used with \`${parent.childForFieldName('operator')?.text ?? 'an operator'}\`` } : { kind: 'consumed' };
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      return isField('condition') ? { kind: 'condition' } : { kind: 'consumed' };
    case 'conditional_expression':
      return sameNode(parent.namedChildren[1], child) ? { kind: 'condition' } : { kind: 'consumed' };
    case 'not_operator':
    case 'boolean_operator':
    case 'if_clause':
      return { kind: 'condition' };
    case 'assert_statement':
      return sameNode(parent.namedChildren[0], child) ? { kind: 'condition' } : { kind: 'consumed' };
    case 'comparison_operator':
      return { kind: 'value', how: 'compared' };
    case 'binary_operator':
    case 'unary_operator':
      return { kind: 'value', how: 'used in arithmetic' };
    case 'attribute':
      if (isField('object') && COROUTINE_PROTOCOL.has(parent.childForFieldName('attribute')?.text ?? '')) return { kind: 'consumed' };
      return isField('object')
        ? { kind: 'value', how: `accessed for its attribute \`.${parent.childForFieldName('attribute')?.text ?? ''}\`` }
        : { kind: 'consumed' };
    case 'subscript':
      return isField('value') ? { kind: 'value', how: 'subscripted' } : { kind: 'consumed' };
    case 'for_statement':
    case 'for_in_clause':
      return isField('right') && !hasAsyncKeyword(parent) ? { kind: 'value', how: 'iterated' } : { kind: 'consumed' };
    case 'interpolation':
      return { kind: 'value', how: 'formatted into a string' };
    case 'argument_list': {
      const call = semantic.parentOf(parent);
      const callee = call?.type === 'call' ? semantic.calleeName(call) : undefined;
      return callee && VALUE_CONSUMERS.has(callee) ? { kind: 'value', how: `passed to \`${callee}()\`` } : { kind: 'consumed' };
    }
    case 'with_item':
    case 'as_pattern': {
      let statement: Node | null = parent;
      for (let i = 0; i < 3 && statement && statement.type !== 'with_statement'; i++) statement = semantic.parentOf(statement);
      return statement?.type === 'with_statement' && hasAsyncKeyword(statement) ? { kind: 'awaited' } : { kind: 'value', how: CONTEXT_MANAGER_USE };
    }
    default:
      return { kind: 'consumed' };
  }
}

/** A name local to a function (not module-level, not declared `global`/`nonlocal`): nobody else can reach it. */
function isLocalVariable(name: Node, semantic: SemanticModel): boolean {
  const scope = semantic.scopeAt(name);
  if (scope.kind === 'module' || scope.kind === 'class') return false;
  return !scope.globals.has(name.text) && !scope.nonlocals.has(name.text);
}

/**
 * The uses of the name bound by `target` (an identifier on the left of an
 * assignment) that still see that binding, in its scope and nested scopes.
 */
export function usesOfBinding(target: Node, semantic: SemanticModel): Node[] {
  const scope = semantic.scopeAt(target);
  const name = target.text;
  const uses: Node[] = [];
  const loop = enclosingLoop(target, scope.node, semantic);
  const root = scope.kind === 'module' ? scope.node : (scope.node.childForFieldName('body') ?? scope.node);
  semantic.forEachDescendant(root, (node) => {
    if (node.type !== 'identifier' || node.text !== name || sameNode(node, target)) return;
    if (!isVariableReference(node, semantic) || semantic.isBindingName(node)) return;
    // Flow-insensitive on purpose: after `if c: t = a() else: t = b()`, `await t` uses both.
    const binding = semantic.lookup(name, node);
    const sameVariable = !!binding && semantic.scopeAt(binding.node) === scope;
    if (sameVariable && node.startIndex > target.startIndex) {
      uses.push(node);
    } else if (sameVariable && loop && node.startIndex < target.startIndex && node.startIndex >= loop.startIndex && node.endIndex <= loop.endIndex) {
      // In a loop, a use above the assignment sees it on the next iteration.
      uses.push(node);
    }
  });
  return uses;
}

function enclosingLoop(node: Node, stopAt: Node, semantic: SemanticModel): Node | undefined {
  for (let p = semantic.parentOf(node); p && !sameNode(p, stopAt); p = semantic.parentOf(p)) {
    if (p.type === 'for_statement' || p.type === 'while_statement') return p;
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return undefined;
  }
  return undefined;
}

/** False for identifiers that name something else than a variable read: `x.name`, `f(name=...)`, `name = ...`. */
function isVariableReference(identifier: Node, semantic: SemanticModel): boolean {
  const parent = semantic.parentOf(identifier);
  if (!parent) return true;
  switch (parent.type) {
    case 'assignment':
      return !sameNode(parent.childForFieldName('left'), identifier);
    case 'attribute':
      return !sameNode(parent.childForFieldName('attribute'), identifier);
    case 'keyword_argument':
      return !sameNode(parent.childForFieldName('name'), identifier);
    case 'function_definition':
    case 'class_definition':
      return !sameNode(parent.childForFieldName('name'), identifier);
    case 'dotted_name':
    case 'aliased_import':
    case 'global_statement':
    case 'nonlocal_statement':
      return false;
    default:
      return true;
  }
}
