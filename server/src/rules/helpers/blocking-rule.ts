/**
 * Builds a blocking-call rule from its slice of the catalog: report a call to
 * one of the names when it runs directly in an `async def` and is not awaited.
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../../core/fix';
import { defineRule, type Rule, type RuleMeta } from '../../core/rule';
import type { SemanticModel } from '../../core/semantic';
import { rangeOf } from '../../core/syntax';
import type { BlockingCallGroup } from './blocking-calls';
import { canAwaitHere, insertAwait, moduleReference } from './fixes';

export interface BlockingRuleOptions {
  meta: RuleMeta;
  groups: readonly BlockingCallGroup[];
  /** What the call does to the event loop, completing "`time.sleep()` ...". */
  effect: string;
  /** A function of the async library with the same arguments (`sleep`), used instead of a thread. */
  asyncTwin?: string;
  /** Rule-specific fixes offered before the generic worker-thread one. */
  specificFixes?: (call: Node, name: string, semantic: SemanticModel) => Fix[];
}

export function blockingCallRule({ meta, groups, effect, asyncTwin, specificFixes }: BlockingRuleOptions): Rule {
  const byName = new Map<string, BlockingCallGroup>();
  for (const group of groups) for (const name of group.names) byName.set(name, group);
  return defineRule({
    // Reported only directly in an `async def`, whose text says `async`.
    meta: { ...meta, triggers: ['async'] },
    create(context) {
      const { semantic } = context;
      return {
        call(call) {
          const asyncFn = semantic.asyncFunctionOf(call);
          if (!asyncFn || semantic.isAwaited(call)) return;
          const name = semantic.calleeName(call);
          const group = name ? byName.get(name) : undefined;
          if (!name || !group || group.harmless?.(call, semantic)) return;
          const instead = group.instead[semantic.library] ?? group.instead.asyncio;
          context.report({
            node: call,
            message: `${describeCall(call, name)} in \`async def ${asyncFn.name}\` ${effect}; ${instead}`,
            fixes: canAwaitHere(call, semantic) ? [...(specificFixes?.(call, name, semantic) ?? []), ...fixesFor(call, semantic, asyncTwin)] : [],
            related: [
              {
                range: rangeOf(asyncFn.nameNode),
                message: `\`${asyncFn.name}\` is a coroutine function: its body runs on the event loop thread`,
              },
            ],
          });
        },
      };
    },
  });
}

/** `await asyncio.sleep(...)` for a call with an async twin, else running the call in a worker thread. */
export function fixesFor(call: Node, semantic: SemanticModel, asyncTwin: string | undefined): Fix[] {
  const library = semantic.library;
  const module = moduleReference(semantic, library);
  const callee = call.childForFieldName('function');
  if (!callee) return [];
  if (asyncTwin) {
    return [
      {
        title: `Replace with \`await ${library}.${asyncTwin}(...)\``,
        edits: [...module.edits, { range: rangeOf(callee), newText: `${module.name}.${asyncTwin}` }, ...insertAwait(call, semantic)],
        safe: true,
      },
    ];
  }
  const args = call.childForFieldName('arguments');
  // A lone generator argument keeps its own parentheses: f(x for x in y) -> to_thread(f, (x for x in y)).
  const argsText = !args ? '' : args.type === 'argument_list' ? args.text.slice(1, -1).trim() : args.text;
  const threaded =
    library === 'asyncio'
      ? `${module.name}.to_thread(${callee.text}${argsText ? `, ${argsText}` : ''})`
      : `${module.name}.to_thread.run_sync(lambda: ${call.text})`;
  const runner = library === 'asyncio' ? 'asyncio.to_thread' : `${library}.to_thread.run_sync`;
  const primary = insertAwait(call, semantic).length > 1;
  return [
    {
      title: `Run it in a worker thread: \`await ${runner}(...)\``,
      edits: [...module.edits, { range: rangeOf(call), newText: primary ? `(await ${threaded})` : `await ${threaded}` }],
      // Another thread: objects bound to one thread (sqlite3 connections, thread-locals) may object.
      safe: false,
    },
  ];
}

/** "`nap()` (`time.sleep`)" when the source spells the call differently from its qualified name. */
export function describeCall(call: Node, qualifiedName: string): string {
  const callee = call.childForFieldName('function');
  const spelled = callee?.text.replace(/\s+/g, '') ?? qualifiedName;
  if (spelled === qualifiedName || spelled.length > 60) return `\`${qualifiedName}()\``;
  return `\`${spelled}()\` (\`${qualifiedName}\`)`;
}
