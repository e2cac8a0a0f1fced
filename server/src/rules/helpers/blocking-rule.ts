/**
 * Builds a blocking-call rule from its slice of the catalog: report a call to
 * one of the names when it runs directly in an `async def` and is not awaited.
 */
import type { Node } from 'web-tree-sitter';
import { defineRule, type Rule, type RuleMeta } from '../../core/rule';
import { rangeOf } from '../../core/syntax';
import type { BlockingCallGroup } from './blocking-calls';

export interface BlockingRuleOptions {
  meta: RuleMeta;
  groups: readonly BlockingCallGroup[];
  /** What the call does to the event loop, completing "`time.sleep()` ...". */
  effect: string;
}

export function blockingCallRule({ meta, groups, effect }: BlockingRuleOptions): Rule {
  const byName = new Map<string, BlockingCallGroup>();
  for (const group of groups) for (const name of group.names) byName.set(name, group);
  return defineRule({
    meta,
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

/** "`nap()` (`time.sleep`)" when the source spells the call differently from its qualified name. */
export function describeCall(call: Node, qualifiedName: string): string {
  const callee = call.childForFieldName('function');
  const spelled = callee?.text.replace(/\s+/g, '') ?? qualifiedName;
  if (spelled === qualifiedName || spelled.length > 60) return `\`${qualifiedName}()\``;
  return `\`${spelled}()\` (\`${qualifiedName}\`)`;
}
