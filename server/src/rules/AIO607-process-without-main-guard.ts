/**
 * AIO607 process-without-main-guard: processes started by code that runs when the module is
 * imported, outside `if __name__ == "__main__":`, so every spawned child starts them again.
 * Documentation: docs/rules/AIO607.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../core/fix';
import { defineRule } from '../core/rule';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import { DEFAULT_TARGET_VERSION, type AnalyzeOptions } from '../core/types';
import { argument, forEachDescendant, rangeOf, unparenthesize } from '../core/syntax';
import { atLeast, FORKSERVER_DEFAULT, isMainGuard, isProcessPool, MP_POOL_TYPES, runsAtImport, usesForkStartMethod } from './helpers/workers';

/** Calls that start child processes right away. */
const STARTS_PROCESSES = new Map<string, string>([
  ['multiprocessing.Process.start', 'starts a child process'],
  ['concurrent.futures.ProcessPoolExecutor.submit', 'starts the pool\'s worker processes'],
  ['concurrent.futures.ProcessPoolExecutor.map', 'starts the pool\'s worker processes'],
  ...[...MP_POOL_TYPES].map((t): [string, string] => [t, 'starts its worker processes']),
]);
const RUNNERS = new Set(['asyncio.run', 'trio.run', 'anyio.run', 'uvloop.run']);

export default defineRule({
  meta: {
    code: 'AIO607',
    name: 'process-without-main-guard',
    category: 'threads-processes',
    defaultSeverity: 'warning',
    summary: 'Processes are started when the module is imported, outside `if __name__ == "__main__":`, so each child starts them again.',
    triggers: ['multiprocessing', 'concurrent'],
  },
  create(context) {
    const { semantic } = context;
    let fork: boolean | undefined;
    return {
      call(call) {
        if (!runsAtImport(call, semantic)) return;
        const name = semantic.calleeName(call);
        let what: string | undefined;
        let related: { range: ReturnType<typeof rangeOf>; message: string }[] = [];
        const direct = name ? STARTS_PROCESSES.get(name) : undefined;
        if (direct) {
          what = `\`${shortText(call)}\` ${direct}`;
        } else {
          const entry = entryPoint(call, name, semantic);
          const creation = entry ? createsProcesses(entry, semantic) : undefined;
          if (!entry || !creation) return;
          what = `\`${shortText(call)}\` runs \`${entry.name}\`, which starts processes (line ${creation.startPosition.row + 1}),`;
          related = [{ range: rangeOf(creation), message: `\`${entry.name}\` starts processes here` }];
        }
        if ((fork ??= usesForkStartMethod(semantic))) return;
        context.report({
          node: call,
          message: `${what} when the module is imported, outside an \`if __name__ == "__main__":\` guard: under the ${startMethods(context.options)}, each child process re-imports the main module, runs this line again and fails with "RuntimeError: An attempt has been made to start a new process before the current process has finished its bootstrapping phase"; move the code that starts processes under \`if __name__ == "__main__":\``,
          related,
          fixes: guardFix(call, context.source, semantic),
        });
      },
    };
  },
});

function shortText(call: Node): string {
  return call.text.length > 60 || call.text.includes('\n') ? `${call.childForFieldName('function')?.text ?? ''}(...)` : call.text;
}

function startMethods(options: AnalyzeOptions): string {
  return atLeast(options.targetVersion ?? DEFAULT_TARGET_VERSION, FORKSERVER_DEFAULT)
    ? '`spawn` and `forkserver` start methods (the defaults on every platform from Python 3.14)'
    : '`spawn` start method (the default on macOS and Windows) and `forkserver` (the default on Linux from Python 3.14)';
}

/** `main()`, `asyncio.run(main())`, `trio.run(main)`: the same-file function the call runs. */
function entryPoint(call: Node, name: string | undefined, semantic: SemanticModel): FunctionInfo | undefined {
  const callee = call.childForFieldName('function');
  const value = callee ? semantic.resolve(callee) : undefined;
  // A coroutine function called directly only creates a coroutine; `asyncio.run(main())` is handled at the runner.
  if (value?.kind === 'function') return value.fn.isAsync ? undefined : value.fn;
  if (!name || !RUNNERS.has(name)) return undefined;
  const first = argument(call, 0);
  if (!first) return undefined;
  const inner = unparenthesize(first);
  const target = inner.type === 'call' ? inner.childForFieldName('function') : inner;
  const resolved = target ? semantic.resolve(target) : undefined;
  return resolved?.kind === 'function' ? resolved.fn : undefined;
}

/** The call in `fn`'s own body that starts processes (creating a `ProcessPoolExecutor` alone starts none). */
function createsProcesses(fn: FunctionInfo, semantic: SemanticModel): Node | undefined {
  const body = fn.node.childForFieldName('body');
  if (!body || fn.isLambda) return undefined;
  let found: Node | undefined;
  forEachDescendant(body, (node) => {
    if (found || node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') return false;
    if (node.type !== 'call') return true;
    const name = semantic.calleeName(node) ?? '';
    if (STARTS_PROCESSES.has(name) || (name === 'asyncio.AbstractEventLoop.run_in_executor' && isProcessPool(argument(node, 0), semantic))) found = node;
    return true;
  });
  return found;
}

/**
 * Indents the module's statements from the one holding `call` to the end under a main guard, when they
 * are all plain statements (no def, class or import that other modules or children might need) and no
 * multi-line string would change by being indented.
 */
function guardFix(call: Node, source: string, semantic: SemanticModel): Fix[] {
  let top: Node = call;
  for (let p = semantic.parentOf(call); p && p.type !== 'module'; p = semantic.parentOf(p)) top = p;
  const statements = semantic.root.namedChildren;
  const index = statements.findIndex((s) => s.id === top.id);
  if (index < 0) return [];
  const trailing = statements.slice(index).filter((s) => s.type !== 'comment');
  const definitions = new Set(['function_definition', 'class_definition', 'decorated_definition', 'import_statement', 'import_from_statement', 'future_import_statement']);
  if (trailing.some((s) => definitions.has(s.type) || isMainGuard(s))) return [];
  let multiline = false;
  semantic.forEachDescendant(semantic.root, (node) => {
    if (multiline || node.endIndex < top.startIndex) return false;
    if (node.type === 'string' && node.startPosition.row !== node.endPosition.row) multiline = true;
    return !multiline;
  });
  if (multiline) return [];
  const lines = source.split(/\r?\n/);
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const first = top.startPosition.row;
  const last = trailing[trailing.length - 1]!.endPosition.row;
  if (top.startPosition.column !== 0) return [];
  const edits: TextEdit[] = [];
  for (let row = first; row <= last; row++) {
    const line = lines[row] ?? '';
    if (line.startsWith('\t')) return [];
    if (row === first) edits.push({ range: { start: { line: row, character: 0 }, end: { line: row, character: 0 } }, newText: `if __name__ == "__main__":${eol}    ` });
    else if (line.trim() !== '') edits.push({ range: { start: { line: row, character: 0 }, end: { line: row, character: 0 } }, newText: '    ' });
  }
  // Importing the module (from a test, say) no longer runs these statements.
  return [{ title: 'Move the rest of the module under `if __name__ == "__main__":`', edits, safe: false }];
}
