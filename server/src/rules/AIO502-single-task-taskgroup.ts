/**
 * AIO502 single-task-taskgroup: a task group or nursery whose whole body starts one task
 * (`tg.create_task(work())`, `nursery.start_soon(work)`): awaiting the coroutine does the same, simpler.
 * Documentation: docs/rules/AIO502.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { forEachDescendant, rangeOf, sameNode, unparenthesize } from '../core/syntax';
import { statementsOf, taskGroupsOf } from './helpers/cancel-scopes';

const STARTERS: Record<string, string> = {
  'asyncio.TaskGroup': 'create_task',
  'trio.open_nursery': 'start_soon',
  'anyio.create_task_group': 'start_soon',
};

export default defineRule({
  meta: {
    code: 'AIO502',
    name: 'single-task-taskgroup',
    category: 'structured-concurrency',
    defaultSeverity: 'warning',
    summary: 'A task group whose body only starts one task: awaiting the coroutine directly does the same.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    // Split on first need: most files never get this finding, and the split costs a copy of the file.
    let lines: string[] | undefined;
    const linesOf = () => (lines ??= context.source.split(/\r?\n/));
    return {
      with_statement(statement) {
        const fn = semantic.asyncFunctionOf(statement);
        const body = statement.childForFieldName('body');
        const groups = taskGroupsOf(statement, semantic);
        // With other context managers in the same statement, the group is not the only thing the block does.
        const clause = statement.namedChildren.find((c) => c.type === 'with_clause');
        if (!fn || !body || groups.length !== 1 || clause?.namedChildren.filter((c) => c.type === 'with_item').length !== 1) return;
        const group = groups[0]!;
        const statements = statementsOf(body);
        if (!group.alias || statements.length !== 1) return;
        const only = statements[0]!;
        const call = only.type === 'expression_statement' && only.namedChildren.length === 1 ? unparenthesize(only.namedChildren[0]!) : undefined;
        const method = STARTERS[group.api]!;
        if (call?.type !== 'call') return;
        const callee = call.childForFieldName('function');
        if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== method) return;
        const object = callee.childForFieldName('object');
        if (object?.type !== 'identifier' || object.text !== group.alias.text) return;
        const args = call.childForFieldName('arguments');
        if (!args || args.type !== 'argument_list') return;
        // A task handed the group itself may start more tasks in it.
        if (mentions(args, group.alias, semantic)) return;
        const positional = args.namedChildren.filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
        if (positional.length === 0 || positional[0]!.type === 'list_splat' || positional[0]!.type === 'dictionary_splat') return;
        const awaited = method === 'create_task'
          ? (positional.length === 1 ? calleeText(positional[0]!) : undefined)
          : `${calleeText(positional[0]!)}(${positional.slice(1).map((a) => a.text).join(', ')})`;
        if (!awaited) return;
        const startText = method === 'create_task' ? `${group.alias.text}.create_task(${positional[0]!.text})` : `${group.alias.text}.start_soon(${positional[0]!.text}, ...)`;
        context.report({
          node: group.manager,
          message: `\`async with ${group.manager.text} as ${group.alias.text}\` in \`async def ${fn.name}\` only runs \`${shorten(startText)}\` and waits for it: a ${group.noun} around a single task adds a task, a cancel scope and exception-group wrapping for nothing; write \`await ${shorten(awaited)}\` instead`,
          related: [{ range: rangeOf(call), message: 'the only task started' }],
          fixes: replaceWithAwait(statement, awaited, args, group.alias, group.noun, semantic, linesOf()),
        });
      },
    };
  },
});

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/** An operand of `await` or of a call, parenthesised when it needs that (`(lambda: x)()`, `await (a if c else b)`). */
function calleeText(fn: Node): string {
  const node = unparenthesize(fn);
  return ['identifier', 'attribute', 'call', 'subscript'].includes(node.type) ? node.text : `(${node.text})`;
}

function mentions(root: Node, alias: Node, semantic: SemanticModel): boolean {
  let found = false;
  forEachDescendant(root, (node) => {
    if (found) return false;
    if (node.type === 'identifier' && node.text === alias.text) {
      const binding = semantic.lookup(node.text, node);
      if (binding?.kind === 'with' && sameNode(binding.node, alias)) found = true;
    }
    return true;
  });
  return found;
}

/** Replaces the whole `async with` by `await coro`, when nothing else (keyword options, later uses of the group) would be lost. */
function replaceWithAwait(statement: Node, awaited: string, args: Node, alias: Node, noun: string, semantic: SemanticModel, lines: readonly string[]): Fix[] {
  if (args.namedChildren.some((a) => a.type === 'keyword_argument' || a.type === 'comment')) return [];
  const fnNode = semantic.asyncFunctionOf(statement)?.node;
  const fnBody = fnNode?.childForFieldName('body');
  if (!fnBody) return [];
  let usedElsewhere = false;
  forEachDescendant(fnBody, (node) => {
    if (usedElsewhere) return false;
    if (node.type === 'identifier' && node.text === alias.text && !sameNode(node, alias) && (node.startIndex < statement.startIndex || node.endIndex > statement.endIndex)) {
      usedElsewhere = true;
    }
    return true;
  });
  if (usedElsewhere) return [];
  const body = statement.childForFieldName('body');
  if (!body || body.namedChildren.some((c) => c.type === 'comment')) return [];
  // A trailing comment on the last line stays where it is; nothing else may share the statement's lines.
  const before = (lines[statement.startPosition.row] ?? '').slice(0, statement.startPosition.column);
  if (before.trim() !== '') return [];
  return [
    {
      title: `Replace the ${noun} with \`await ${shorten(awaited)}\``,
      edits: [{ range: rangeOf(statement), newText: `await ${awaited}` }],
      // Errors now arrive bare instead of in an ExceptionGroup (`except*` still matches them, `except ExceptionGroup`
      // does not), and the coroutine runs in this task and its context instead of a new one.
      safe: false,
    },
  ];
}
