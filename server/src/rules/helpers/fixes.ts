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
function importEdit(root: Node, module: string): TextEdit {
  const statements = root.namedChildren.filter((c) => c.type !== 'comment');
  let index = 0;
  const first = statements[0];
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') index = 1;
  while (statements[index]?.type === 'future_import_statement') index++;
  const anchor = statements[index];
  if (anchor && (anchor.type === 'import_statement' || anchor.type === 'import_from_statement')) {
    return at({ line: anchor.startPosition.row, character: 0 }, `import ${module}\n`);
  }
  const previous = statements[index - 1];
  if (previous) return at({ line: previous.endPosition.row + 1, character: 0 }, `\nimport ${module}\n`);
  return at({ line: anchor?.startPosition.row ?? 0, character: 0 }, anchor ? `import ${module}\n\n\n` : `import ${module}\n`);
}

/** Turns the `def` of a sync function into `async def`. */
export function makeAsync(fn: FunctionInfo): TextEdit[] {
  if (fn.isLambda || fn.isAsync) return [];
  return [at(rangeOf(fn.node).start, 'async ')];
}
