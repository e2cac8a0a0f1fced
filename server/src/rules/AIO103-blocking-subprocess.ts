/**
 * AIO103 blocking-subprocess: Starting or waiting for a subprocess synchronously in async code.
 * Documentation: docs/rules/AIO103.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import type { SemanticModel } from '../core/semantic';
import { keywordArgument, positionalArguments, rangeOf } from '../core/syntax';
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';
import { moduleReference } from './helpers/fixes';
import { classifyUse } from './helpers/usage';

export default blockingCallRule({
  meta: {
    code: 'AIO103',
    name: 'blocking-subprocess',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Starting or waiting for a subprocess synchronously in async code.',
  },
  groups: BLOCKING_CALLS.AIO103!,
  effect: 'blocks the event loop until the process starts or finishes',
  specificFixes: asyncSubprocess,
});

/** Keyword arguments that mean the same to `asyncio.create_subprocess_*`. */
const PORTABLE_KEYWORDS = new Set(['cwd', 'env', 'shell']);

/**
 * `subprocess.run([...])` / `subprocess.call(...)` / `os.system(...)` whose result is not used:
 * start the process with asyncio and wait for it, `await (await asyncio.create_subprocess_exec(...)).wait()`.
 * Only where nothing of the result is used and no option would change meaning (`check`, `capture_output`, ...).
 */
function asyncSubprocess(call: Node, name: string, semantic: SemanticModel): Fix[] {
  if (!['subprocess.run', 'subprocess.call', 'os.system'].includes(name)) return [];
  if (classifyUse(call, semantic).kind !== 'discarded') return [];
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return [];
  const keywords = args.namedChildren.filter((a) => a.type === 'keyword_argument');
  if (keywords.some((k) => !PORTABLE_KEYWORDS.has(k.childForFieldName('name')?.text ?? ''))) return [];
  if (args.namedChildren.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return [];
  const positional = positionalArguments(call);
  if (positional.length !== 1) return [];
  const command = positional[0]!;
  const shell = name === 'os.system' || keywordArgument(call, 'shell')?.text === 'True';
  const options = keywords.filter((k) => k.childForFieldName('name')?.text !== 'shell').map((k) => k.text);
  let program: string;
  if (shell) {
    if (command.type === 'list') return [];
    program = `create_subprocess_shell(${[command.text, ...options].join(', ')})`;
  } else {
    // Only a literal argument list: a variable may hold a string, which `*cmd` would split into characters.
    if (command.type !== 'list' && command.type !== 'tuple') return [];
    const items = command.namedChildren.filter((c) => c.type !== 'comment').map((c) => c.text);
    if (items.length === 0 || command.namedChildren.some((c) => c.type === 'list_splat')) return [];
    program = `create_subprocess_exec(${[...items, ...options].join(', ')})`;
  }
  const asyncio = moduleReference(semantic, 'asyncio');
  return [
    {
      title: `Run it with \`await asyncio.${program.slice(0, program.indexOf('('))}(...)\``,
      edits: [...asyncio.edits, { range: rangeOf(call), newText: `await (await ${asyncio.name}.${program}).wait()` }],
      // The exit status is no longer a CompletedProcess, and output handling may differ.
      safe: false,
    },
  ];
}
