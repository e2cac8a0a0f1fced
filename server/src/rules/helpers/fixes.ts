/**
 * Building blocks for fixes: insert `await` where precedence allows it, refer
 * to a module (adding its import when the file lacks one), turn a `def` async.
 */
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../../core/fix';
import type { FunctionInfo, SemanticModel } from '../../core/semantic';
import { rangeOf } from '../../core/syntax';
import type { Position } from '../../core/types';

function at(position: Position, newText: string): TextEdit {
  return { range: { start: position, end: position }, newText };
}

/** Node types in which the call is a primary (`x.attr`, `x[i]`, `x()`), where `await x` needs parentheses. */
function isPrimaryOperand(expr: Node, semantic: SemanticModel): boolean {
  const parent = semantic.parentOf(expr);
  if (!parent) return false;
  const field = (name: string) => parent.childForFieldName(name)?.id === expr.id;
  return (
    (parent.type === 'attribute' && field('object')) ||
    (parent.type === 'subscript' && field('value')) ||
    (parent.type === 'call' && field('function'))
  );
}

/** Edits that put `await` in front of `expr`, parenthesised when its position needs it. */
export function insertAwait(expr: Node, semantic: SemanticModel): TextEdit[] {
  const range = rangeOf(expr);
  if (isPrimaryOperand(expr, semantic)) return [at(range.start, '(await '), at(range.end, ')')];
  return [at(range.start, 'await ')];
}

/** `await` is only right where the async def itself runs the expression, not in a lazy generator. */
export function canAwaitHere(expr: Node, semantic: SemanticModel): boolean {
  const fn = semantic.enclosingFunction(expr);
  if (!fn?.isAsync) return false;
  // `await` inside a generator expression would turn it into an async generator.
  for (let p = semantic.parentOf(expr); p && p.id !== fn.node.id; p = semantic.parentOf(p)) {
    if (p.type === 'generator_expression') return false;
  }
  return true;
}

/**
 * How this file names `module` (its alias when imported as `import asyncio as aio`), and the
 * edit that adds `import module` when it is not imported at module level.
 */
export function moduleReference(semantic: SemanticModel, module: string): { name: string; edits: TextEdit[] } {
  for (const [name, bindings] of semantic.module.bindings) {
    const last = bindings[bindings.length - 1];
    if (last?.kind === 'import' && last.target === module) return { name, edits: [] };
  }
  return { name: module, edits: [importEdit(semantic.root, module)] };
}

/**
 * `import module` on its own line: with the other imports at the top if there are any, else after
 * the docstring and `__future__` imports, set apart by blank lines.
 */
/** Where a new import goes, per file: found once, since a file with thousands of findings asks each time. */
const importAnchors = new WeakMap<Node, { position: { line: number; character: number }; before: string; after: string }>();

function importEdit(root: Node, module: string, line = `import ${module}`): TextEdit {
  let anchor = importAnchors.get(root);
  if (!anchor) {
    anchor = importAnchor(root);
    importAnchors.set(root, anchor);
  }
  return at(anchor.position, `${anchor.before}${line}${anchor.after}`);
}

/** After a docstring and `from __future__` imports: before the first import, or after the docstring. */
function importAnchor(root: Node): { position: { line: number; character: number }; before: string; after: string } {
  const statements = root.namedChildren.filter((c) => c.type !== 'comment');
  let index = 0;
  const first = statements[0];
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') index = 1;
  while (statements[index]?.type === 'future_import_statement') index++;
  const anchor = statements[index];
  if (anchor && (anchor.type === 'import_statement' || anchor.type === 'import_from_statement')) {
    return { position: { line: anchor.startPosition.row, character: 0 }, before: '', after: '\n' };
  }
  const previous = statements[index - 1];
  if (previous) return { position: { line: previous.endPosition.row + 1, character: 0 }, before: '\n', after: '\n' };
  return { position: { line: anchor?.startPosition.row ?? 0, character: 0 }, before: '', after: anchor ? '\n\n\n' : '\n' };
}

/** Turns the `def` of a sync function into `async def`. */
export function makeAsync(fn: FunctionInfo): TextEdit[] {
  if (fn.isLambda || fn.isAsync) return [];
  return [at(rangeOf(fn.node).start, 'async ')];
}

/**
 * Edit that defines something at module level, after the import block (or the docstring), unless a
 * module-level name `name` already exists; in which case nothing is added and the name is reused.
 */
export function moduleLevelDefinition(semantic: SemanticModel, name: string, definition: string): TextEdit[] {
  if (semantic.module.bindings.has(name)) return [];
  const statements = semantic.root.namedChildren.filter((c) => c.type !== 'comment');
  let last: Node | undefined;
  for (const [i, s] of statements.entries()) {
    const isDocstring = i === 0 && s.type === 'expression_statement' && s.namedChildren[0]?.type === 'string';
    if (isDocstring || s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement') last = s;
    else break;
  }
  if (!last) return [at({ line: statements[0]?.startPosition.row ?? 0, character: 0 }, `${definition}\n\n\n`)];
  return [at({ line: last.endPosition.row + 1, character: 0 }, `\n${definition}\n`)];
}

/** The expression statement that is exactly `expr` (not `a; expr` on a shared line), and its indentation. */
export function ownStatement(expr: Node, semantic: SemanticModel, lines: readonly string[]): { statement: Node; indent: string } | undefined {
  const statement = semantic.parentOf(expr);
  if (statement?.type !== 'expression_statement' || statement.namedChildren.length !== 1) return undefined;
  const line = lines[statement.startPosition.row] ?? '';
  const indent = line.slice(0, statement.startPosition.column);
  if (indent.trim() !== '' || line.slice(rangeOf(statement).end.character).trim().replace(/^#.*/, '') !== '') return undefined;
  return { statement, indent };
}

/** A module-level helper that logs the exception of a finished task or future, for done-callbacks. */
export const LOG_EXCEPTION_HELPER = '_log_background_exception';

export function logExceptionHelper(semantic: SemanticModel): TextEdit[] {
  const logging = moduleReference(semantic, 'logging');
  return [
    ...logging.edits,
    ...moduleLevelDefinition(
      semantic,
      LOG_EXCEPTION_HELPER,
      `\ndef ${LOG_EXCEPTION_HELPER}(future):\n    """Done-callback: log the exception of a background task or future instead of losing it."""\n    if not future.cancelled() and future.exception() is not None:\n        ${logging.name}.getLogger(__name__).error("background work failed", exc_info=future.exception())\n`,
    ),
  ];
}

/** A name not bound in the scope of `node` (`base`, else `base_2`, ...). */
export function freshName(semantic: SemanticModel, node: Node, base: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}_${i}`;
    if (!semantic.lookup(name, node)) return name;
  }
}

/** How this file names `module.name` (`from module import name`, added when missing). */
export function importedName(semantic: SemanticModel, module: string, name: string): { name: string; edits: TextEdit[] } {
  for (const [local, bindings] of semantic.module.bindings) {
    const last = bindings[bindings.length - 1];
    if (last?.kind === 'import' && last.target === `${module}.${name}`) return { name: local, edits: [] };
  }
  if (semantic.module.bindings.has(name)) {
    // The short name is taken by something else: spell it through the module.
    const owner = moduleReference(semantic, module);
    return { name: `${owner.name}.${name}`, edits: owner.edits };
  }
  return { name, edits: [importEdit(semantic.root, module, `from ${module} import ${name}`)] };
}
