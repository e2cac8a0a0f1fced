/**
 * AIO303 task-set-without-discard: tasks are added to a set that nothing ever removes them from, awaits or hands on.
 * Documentation: docs/rules/AIO303.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule, type RuleContext } from '../core/rule';
import { keywordArgument, positionalArguments, rangeOf, unparenthesize } from '../core/syntax';
import { freshName, ownStatement } from './helpers/fixes';
import {
  assignedValues,
  calledMethod,
  holderOf,
  holderReferences,
  isAssignmentTarget,
  isOnlyInspected,
  isTaskFactoryCall,
  type Holder,
} from './helpers/task-handles';
import { classifyUse, usesOfBinding } from './helpers/usage';

/** Annotations that declare a plain (strong) set; a `weakref.WeakSet` keeps nothing alive and cannot leak. */
const SET_TYPES = new Set(['set', 'typing.Set', 'typing.MutableSet', 'collections.abc.MutableSet', 'collections.abc.Set']);

/** Methods that only add to the set: using them removes nothing. */
const ADDING_METHODS = new Set(['add', 'update']);

export default defineRule({
  meta: {
    code: 'AIO303',
    name: 'task-set-without-discard',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'Tasks are kept in a set but never removed, awaited or handed on: the set grows forever and their exceptions are never retrieved.',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add') return;
        const args = positionalArguments(call);
        if (args.length !== 1 || call.childForFieldName('arguments')?.namedChildren.length !== 1) return;
        const task = unparenthesize(args[0]!);
        const taskBinding = taskVariable(task, context);
        if (!isTaskFactoryCall(task, semantic) && !taskBinding) return;
        const container = fn.childForFieldName('object');
        const holder = container ? holderOf(container, semantic) : undefined;
        if (!container || !holder) return;
        const references = holderReferences(holder, semantic);
        if (!isSingleSet(holder, references, context)) return;
        if (references.some((ref) => !isHarmless(ref, context))) return;
        const local = holder.kind === 'name' && holder.scope.kind !== 'module';
        // A local set dies with the function: a task awaited or handed on through its own variable is fine.
        if (local && taskBinding && usesOfBinding(taskBinding, semantic).some((use) => !isArgumentOf(use, call) && observes(use, context))) return;
        const spelled = container.text;
        const definition = assignedValues(holder, references, semantic)[0]?.target;
        context.report({
          node: call,
          related: definition ? [{ range: rangeOf(definition), message: `\`${spelled}\` is created here` }] : [],
          fixes: discardFix(call, task, spelled, context),
          message: local
            ? `the tasks added to the local set \`${spelled}\` are never removed, awaited or handed on: the set keeps every finished task (and its result or exception) until the function returns, and their exceptions are never retrieved; await them (\`await asyncio.gather(*${spelled})\`) or add \`task.add_done_callback(${spelled}.discard)\``
            : `nothing ever removes finished tasks from \`${spelled}\` (no \`add_done_callback(${spelled}.discard)\`, no \`discard\`/\`remove\`/\`clear\`) and nothing awaits them: the set grows with every task, keeping each one and its result or exception alive (a memory leak), and their exceptions are never retrieved; add \`task.add_done_callback(${spelled}.discard)\` after adding the task`,
        });
      },
    };
  },
});

/** The assignment target of a name bound to `asyncio.create_task(...)` (or `ensure_future`, `loop.create_task`). */
function taskVariable(expr: Node, { semantic }: RuleContext): Node | undefined {
  if (expr.type !== 'identifier') return undefined;
  const binding = semantic.lookup(expr.text, expr);
  return binding?.kind === 'assign' && isTaskFactoryCall(binding.value, semantic) && binding.node.type === 'identifier' ? binding.node : undefined;
}

/** The holder is created once, as an empty or literal `set`; a second assignment would be a reset, which removes the tasks. */
function isSingleSet(holder: Holder, references: Node[], { semantic }: RuleContext): boolean {
  const assigned = assignedValues(holder, references, semantic).filter((a) => a.value !== undefined || holder.kind === 'name');
  if (assigned.length !== 1) return false;
  const { value, annotation } = assigned[0]!;
  if (!value) return false;
  return isSetConstruction(value, semantic) || (!!annotation && isSetAnnotation(annotation, semantic) && isSetFactoryField(value, semantic));
}

function isSetConstruction(node: Node, semantic: RuleContext['semantic']): boolean {
  const value = unparenthesize(node);
  if (value.type === 'set' || value.type === 'set_comprehension') return true;
  return value.type === 'call' && semantic.calleeName(value) === 'set' && (value.childForFieldName('arguments')?.namedChildren.length ?? 0) <= 1;
}

/** `field(default_factory=set)` in a dataclass. */
function isSetFactoryField(node: Node, semantic: RuleContext['semantic']): boolean {
  const value = unparenthesize(node);
  if (value.type !== 'call' || semantic.calleeName(value) !== 'dataclasses.field') return false;
  const factory = keywordArgument(value, 'default_factory');
  return !!factory && semantic.qualifiedName(factory) === 'set';
}

function isSetAnnotation(annotation: Node, semantic: RuleContext['semantic']): boolean {
  let type = unparenthesize(annotation);
  if (type.type === 'type') type = type.namedChildren[0] ?? type;
  if (type.type === 'generic_type') type = type.namedChildren[0] ?? type;
  if (type.type === 'subscript') type = type.childForFieldName('value') ?? type;
  const name = semantic.qualifiedName(type);
  return !!name && SET_TYPES.has(name);
}

/** A use of the set that can neither remove a task from it nor let anyone else await its tasks. */
function isHarmless(ref: Node, { semantic }: RuleContext): boolean {
  if (isAssignmentTarget(ref, semantic) || semantic.isBindingName(ref)) return true;
  const method = calledMethod(ref, semantic);
  if (method) return ADDING_METHODS.has(method.name);
  // Annotation-only declarations (`_tasks: set[asyncio.Task]`) bind nothing.
  const parent = semantic.parentOf(ref);
  if (parent?.type === 'assignment' && !parent.childForFieldName('right')) return true;
  return isOnlyInspected(ref, semantic);
}

function isArgumentOf(use: Node, call: Node): boolean {
  const args = call.childForFieldName('arguments');
  return !!args && use.startIndex >= args.startIndex && use.endIndex <= args.endIndex;
}

/** The task's own variable is awaited, handed on, or asked something (`t.result()`, `t.add_done_callback(...)`). */
function observes(use: Node, { semantic }: RuleContext): boolean {
  if (calledMethod(use, semantic)) return true;
  const kind = classifyUse(use, semantic).kind;
  return kind === 'awaited' || kind === 'consumed' || kind === 'assigned';
}

function discardFix(call: Node, task: Node, spelled: string, context: RuleContext): Fix[] {
  const { semantic, source } = context;
  const own = ownStatement(call, semantic, source.split(/\r?\n/));
  if (!own || spelled.includes('\n')) return [];
  const newline = `\n${own.indent}`;
  // Removing finished tasks changes what `len()` or `in` on the set report: never applied without review.
  if (task.type === 'identifier') {
    const end = rangeOf(own.statement).end;
    return [
      {
        title: `Remove the task from \`${spelled}\` when it is done`,
        edits: [{ range: { start: end, end }, newText: `${newline}${task.text}.add_done_callback(${spelled}.discard)` }],
        safe: false,
      },
    ];
  }
  const name = freshName(semantic, call, 'task');
  return [
    {
      title: `Keep the task in a variable and remove it from \`${spelled}\` when it is done`,
      edits: [
        {
          range: rangeOf(own.statement),
          newText: `${name} = ${task.text}${newline}${spelled}.add(${name})${newline}${name}.add_done_callback(${spelled}.discard)`,
        },
      ],
      safe: false,
    },
  ];
}
