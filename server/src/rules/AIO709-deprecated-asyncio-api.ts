/**
 * AIO709 deprecated-asyncio-api: an asyncio API that is deprecated or already removed
 * (`@asyncio.coroutine`, `loop=` arguments, `asyncio.Task.all_tasks()`, child watchers, the
 * event-loop policy system, `asyncio.iscoroutinefunction`, `get_event_loop()` with no loop),
 * with the versions involved and a replacement that exists on the target Python.
 * Documentation: docs/rules/AIO709.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../core/fix';
import { defineRule } from '../core/rule';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import { rangeOf, sameNode, unparenthesize } from '../core/syntax';
import { DEFAULT_TARGET_VERSION } from '../core/types';
import {
  atLeast,
  DEPRECATED_NAMES,
  lifecycle,
  LOOP_PARAMETER_REMOVED,
  publicAsyncioName,
  type Version,
} from './helpers/deprecated-asyncio';
import { moduleReference } from './helpers/fixes';
import { usesOfBinding } from './helpers/usage';

/** The last part of each deprecated name (`coroutine` of `asyncio.coroutine`). */
const LAST_NAME_PARTS = [...new Set([...DEPRECATED_NAMES.keys()].map((name) => name.slice(name.lastIndexOf('.') + 1)))];

/** Identifiers in these positions name something being defined or imported, not a use of a deprecated API. */
const NOT_A_USE = new Set([
  'import_statement', 'import_from_statement', 'dotted_name', 'aliased_import', 'global_statement', 'nonlocal_statement',
  'parameters', 'typed_parameter', 'default_parameter', 'typed_default_parameter', 'lambda_parameters',
  'list_splat_pattern', 'dictionary_splat_pattern',
]);

const RUNS_THE_LOOP = new Set(['run_until_complete', 'run_forever']);

export default defineRule({
  meta: {
    code: 'AIO709',
    name: 'deprecated-asyncio-api',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'A deprecated or removed asyncio API (`@asyncio.coroutine`, `loop=`, `Task.all_tasks()`, child watchers, policies, `asyncio.iscoroutinefunction`, `get_event_loop()` with no loop).',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    const target: Version = context.options.targetVersion ?? DEFAULT_TARGET_VERSION;
    // A name resolves to a deprecated API only through text of this file that spells the API's last
    // part (`coroutine`, `all_tasks`, ...): without one, no name or attribute needs resolving.
    const mayNameApi = semantic.mentionsAsName(LAST_NAME_PARTS);

    function deprecatedName(node: Node): string | undefined {
      const name = semantic.qualifiedName(node);
      if (!name) return undefined;
      const publicName = publicAsyncioName(name);
      return DEPRECATED_NAMES.has(publicName) ? publicName : undefined;
    }

    function reportName(node: Node, name: string): void {
      const api = DEPRECATED_NAMES.get(name)!;
      if (deliberate(node, api.planned || !api.removed ? api.deprecated : api.removed, semantic) || insideReportedCall(node)) return;
      context.report({
        node,
        message: `${api.display} ${lifecycle(api)}: ${api.replacement(target)}`,
        fixes: nameFixes(node, name),
      });
    }

    /** `asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())` is one finding, on the outer call. */
    function insideReportedCall(node: Node): boolean {
      for (let child = node, p = semantic.parentOf(node); p; child = p, p = semantic.parentOf(p)) {
        if (p.type.endsWith('statement') || p.type === 'block' || p.type === 'module') return false;
        const callee = p.type === 'call' ? p.childForFieldName('function') : null;
        if (callee && !sameNode(callee, child) && deprecatedName(callee)) return true;
      }
      return false;
    }

    function nameFixes(node: Node, name: string): Fix[] {
      if (name === 'asyncio.iscoroutinefunction') {
        const inspect = moduleReference(semantic, 'inspect');
        return [
          {
            title: 'Use `inspect.iscoroutinefunction()`',
            edits: [...inspect.edits, { range: rangeOf(node), newText: `${inspect.name}.iscoroutinefunction` }],
            // asyncio's version also accepts objects carrying its private `_is_coroutine` marker (set by
            // some libraries before 3.12's `inspect.markcoroutinefunction`); inspect's does not.
            safe: false,
          },
        ];
      }
      if ((name === 'asyncio.Task.all_tasks' || name === 'asyncio.Task.current_task') && node.type === 'attribute') {
        const task = node.childForFieldName('object');
        const module = task?.type === 'attribute' ? task.childForFieldName('object') : null;
        if (!module || !atLeast(target, [3, 7])) return [];
        const method = name.slice('asyncio.Task.'.length);
        return [
          {
            title: `Use \`asyncio.${method}()\``,
            edits: [{ range: rangeOf(node), newText: `${module.text}.${method}` }],
            // It needs a running loop (RuntimeError otherwise), and all_tasks() leaves out finished tasks.
            safe: false,
          },
        ];
      }
      return [];
    }

    function checkLoopArgument(call: Node, name: string): void {
      const kind = LOOP_PARAMETER_REMOVED.get(name);
      if (!kind) return;
      const args = call.childForFieldName('arguments');
      const loopArg = args?.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'loop');
      if (!args || !loopArg || deliberate(call, [3, 10], semantic)) return;
      const short = name.slice('asyncio.'.length);
      const how =
        kind === 'class'
          ? `since Python 3.10 an \`asyncio.${short}\` attaches itself to the loop that first uses it`
          : `since Python 3.7 \`asyncio.${short}()\` uses the running loop`;
      context.report({
        node: loopArg,
        message: `The \`loop\` argument of \`asyncio.${short}()\` was deprecated in Python 3.8 and removed in 3.10, where it raises TypeError: remove it (${how})`,
        fixes: removeArgumentFix(loopArg, args, target),
      });
    }

    function checkGetEventLoop(call: Node): void {
      // Inside a coroutine there is always a running loop: AIO702 covers that case.
      if (semantic.asyncFunctionOf(call)) return;
      const fn = semantic.enclosingFunction(call);
      if (fn?.isLambda) return;
      // In a sync function it may well run as a callback inside the loop, where the call is fine:
      // only report it when the function then runs the loop itself, so no loop can be running.
      if (fn && !runsTheLoop(call, semantic)) return;
      if (loopSetBefore(call, fn, semantic) || deliberate(call, [3, 12], semantic)) return;
      const where = fn ? `in \`def ${fn.name}\`, which then runs the loop itself` : 'at module level';
      const runner = atLeast(target, [3, 11]) ? ', or `with asyncio.Runner() as runner:` to run several' : '';
      context.report({
        node: call,
        message: `\`asyncio.get_event_loop()\` with no running event loop (${where}) is deprecated since Python 3.10 (3.12 when no loop was set) and raises RuntimeError from 3.14: run the entry coroutine with \`asyncio.run(main())\`${runner}, or create the loop with \`asyncio.new_event_loop()\` and pass it on`,
      });
    }

    return {
      attribute(node) {
        if (!mayNameApi) return;
        const name = deprecatedName(node);
        if (name) reportName(node, name);
      },
      identifier(node) {
        if (!mayNameApi) return;
        const parent = semantic.parentOf(node);
        if (!parent || NOT_A_USE.has(parent.type) || semantic.isBindingName(node)) return;
        if (parent.type === 'attribute' && !sameNode(parent.childForFieldName('object'), node)) return;
        if (parent.type === 'keyword_argument' && sameNode(parent.childForFieldName('name'), node)) return;
        if ((parent.type === 'function_definition' || parent.type === 'class_definition') && sameNode(parent.childForFieldName('name'), node)) return;
        const name = deprecatedName(node);
        if (name) reportName(node, name);
      },
      call(call) {
        const callee = semantic.calleeName(call);
        if (!callee) return;
        const name = publicAsyncioName(callee);
        if (name === 'asyncio.get_event_loop') checkGetEventLoop(call);
        else checkLoopArgument(call, name);
      },
    };
  },
});

/** Deletes `loop=...` with its comma; only when that cannot drop a side effect or a comment. */
function removeArgumentFix(arg: Node, args: Node, target: Version): Fix[] {
  const value = arg.childForFieldName('value');
  const simple = value && ['identifier', 'attribute', 'none'].includes(unparenthesize(value).type);
  if (!simple || args.namedChildren.some((c) => c.type === 'comment')) return [];
  const siblings = args.namedChildren;
  const index = siblings.findIndex((c) => sameNode(c, arg));
  const previous = siblings[index - 1];
  const next = siblings[index + 1];
  let edit: TextEdit;
  if (previous) edit = { range: { start: rangeOf(previous).end, end: rangeOf(arg).end }, newText: '' };
  else if (next) edit = { range: { start: rangeOf(arg).start, end: rangeOf(next).start }, newText: '' };
  else {
    // The only argument: drop it together with a trailing comma, keeping the parentheses.
    const close = args.lastChild;
    edit = { range: { start: { line: args.startPosition.row, character: args.startPosition.column + 1 }, end: close ? rangeOf(close).start : rangeOf(arg).end }, newText: '' };
  }
  return [
    {
      title: 'Remove the `loop` argument',
      edits: [edit],
      // On 3.10+ the argument is a TypeError, so removing it can only help; on older Pythons an object
      // created outside the loop would bind to `get_event_loop()` instead of the loop passed.
      safe: atLeast(target, [3, 10]),
    },
  ];
}

/** True when `loop = asyncio.get_event_loop()` (or the call itself) is then used to run the loop. */
function runsTheLoop(call: Node, semantic: SemanticModel): boolean {
  const parent = semantic.parentOf(call);
  if (parent?.type === 'attribute' && RUNS_THE_LOOP.has(parent.childForFieldName('attribute')?.text ?? '')) return true;
  if (parent?.type !== 'assignment' || !sameNode(parent.childForFieldName('right'), call)) return false;
  const target = parent.childForFieldName('left');
  if (target?.type !== 'identifier') return false;
  const methods = usesOfBinding(target, semantic).map((use) => {
    const attr = semantic.parentOf(use);
    return attr?.type === 'attribute' && sameNode(attr.childForFieldName('object'), use) ? (attr.childForFieldName('attribute')?.text ?? '') : '';
  });
  // `if loop.is_running(): ... else: loop.run_until_complete(...)` works whether a loop runs or not.
  return methods.some((m) => RUNS_THE_LOOP.has(m)) && !methods.includes('is_running');
}

/** `asyncio.set_event_loop(...)` earlier in the same function (or at module level): then there is a current loop. */
function loopSetBefore(call: Node, fn: FunctionInfo | undefined, semantic: SemanticModel): boolean {
  const root = fn ? fn.node : semantic.root;
  for (const node of semantic.nodesMentioning(['set_event_loop'])) {
    if (node.startIndex >= call.startIndex) break;
    if (node.type !== 'call' || node.startIndex < root.startIndex || semantic.enclosingFunction(node) !== fn) continue;
    if (publicAsyncioName(semantic.calleeName(node) ?? '') === 'asyncio.set_event_loop') return true;
  }
  return false;
}

/** Context managers of tests that exercise a deprecation on purpose (`with self.assertWarns(DeprecationWarning):`). */
const CHECKS_DEPRECATION = new Set([
  'assertWarns', 'assertWarnsRegex', 'assertRaises', 'assertRaisesRegex', 'warns', 'raises', 'deprecated_call', 'catch_warnings',
]);

const FALLBACK_ERRORS = new Set(['AttributeError', 'ImportError', 'ModuleNotFoundError']);

/**
 * True when the code uses the API knowingly: in a branch that runs only on Pythons older than
 * `until` (`if sys.version_info < (3, 12):`, the `else:` of `if sys.version_info >= (3, 12):`,
 * `if not PY_312:`), as the fallback of feature detection (the `else:` of `if hasattr(...)`, an
 * `except AttributeError:` / `except ImportError:` handler), or in a test that checks the warning or error.
 */
function deliberate(node: Node, until: Version, semantic: SemanticModel): boolean {
  for (let child = node, p = semantic.parentOf(node); p; child = p, p = semantic.parentOf(p)) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const condition = p.childForFieldName('condition');
      const bound = versionBound(condition, semantic);
      const inBody = sameNode(p.childForFieldName('consequence'), child);
      const inElse = child.type === 'else_clause';
      if (bound && inBody && bound.op === '<' && atLeast(until, bound.version)) return true;
      if (bound && inElse && bound.op === '>=' && atLeast(until, bound.version)) return true;
      if (inElse && isHasattr(condition, semantic)) return true;
    } else if (p.type === 'except_clause' && catchesOnly(p, FALLBACK_ERRORS)) {
      return true;
    } else if (p.type === 'with_statement' && withItemsCall(p).some((name) => CHECKS_DEPRECATION.has(name))) {
      return true;
    }
  }
  return false;
}

function isHasattr(condition: Node | null, semantic: SemanticModel): boolean {
  const cond = condition ? unparenthesize(condition) : undefined;
  return cond?.type === 'call' && semantic.calleeName(cond) === 'hasattr';
}

function catchesOnly(clause: Node, errors: ReadonlySet<string>): boolean {
  const caught = clause.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  if (!caught) return false;
  const value = caught.type === 'as_pattern' ? caught.namedChildren[0] : caught;
  if (!value) return false;
  const names = value.type === 'tuple' ? value.namedChildren : [value];
  return names.length > 0 && names.every((n) => errors.has(n.text.replace(/^builtins\./, '')));
}

/** The method or function names called by the items of a `with` statement (`assertWarns` for `self.assertWarns(...)`). */
function withItemsCall(statement: Node): string[] {
  const names: string[] = [];
  const clause = statement.namedChildren.find((c) => c.type === 'with_clause');
  for (const item of clause?.namedChildren ?? []) {
    let value = item.childForFieldName('value');
    if (value?.type === 'as_pattern') value = value.namedChildren[0] ?? null;
    const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
    if (fn?.type === 'attribute') names.push(fn.childForFieldName('attribute')?.text ?? '');
    else if (fn?.type === 'identifier') names.push(fn.text);
  }
  return names;
}

/** `sys.version_info < (3, 12)`, `sys.version_info >= (3, 12)`, `PY_312`, `not PY38`, as "runs on Pythons <, >= version". */
function versionBound(condition: Node | null, semantic: SemanticModel): { op: '<' | '>='; version: Version } | undefined {
  const cond = condition ? unparenthesize(condition) : undefined;
  const negated = cond?.type === 'not_operator' ? cond.childForFieldName('argument') : undefined;
  const tested = negated ?? cond;
  const flagName = tested?.type === 'attribute' ? tested.childForFieldName('attribute')?.text : tested?.type === 'identifier' ? tested.text : undefined;
  const flag = /^PY(?:THON)?_?3_?(\d{1,2})(?:_?PLUS)?$/i.exec(flagName ?? '');
  if (flag) {
    return { op: negated ? '<' : '>=', version: [3, Number(flag[1])] };
  }
  if (cond?.type !== 'comparison_operator') return undefined;
  const [left, right] = cond.namedChildren;
  const op = cond.children[1]?.type;
  if (!left || !right || (op !== '<' && op !== '>=')) return undefined;
  if (semantic.qualifiedName(left) !== 'sys.version_info') return undefined;
  const parts = unparenthesize(right).namedChildren;
  if (unparenthesize(right).type !== 'tuple' || parts.length < 2 || parts.some((x) => x.type !== 'integer')) return undefined;
  return { op, version: [Number(parts[0]!.text), Number(parts[1]!.text)] };
}
