/**
 * Builds a missing-await rule: find calls that create a coroutine and let the
 * rule decide, from how the coroutine is used, whether it is lost.
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../../core/fix';
import { KNOWN_COROUTINES } from '../../core/knowledge';
import { defineRule, type Rule, type RuleContext, type RuleMeta } from '../../core/rule';
import type { FunctionInfo } from '../../core/semantic';
import { rangeOf } from '../../core/syntax';
import type { RelatedInformation } from '../../core/types';
import type { ExternalFunction } from '../../core/workspace-types';
import { canAwaitHere, insertAwait, makeAsync } from './fixes';
import { classifyUse, type Use } from './usage';

export interface CoroutineCall {
  call: Node;
  /** How the source names the callee, e.g. `self.commit`. */
  spelled: string;
  definition?: FunctionInfo;
  /** The `async def` in another module of the workspace. */
  external?: ExternalFunction;
  use: Use;
}

/**
 * A call creates a coroutine when it calls an `async def` (of this file: its text says `async`; of
 * another module: see core/prefilter.ts) or a known coroutine function of a library.
 */
const COROUTINE_TRIGGERS = ['async', ...new Set([...KNOWN_COROUTINES].map((name) => name.split('.')[0]!))];

export function coroutineRule(
  meta: RuleMeta,
  check: (found: CoroutineCall, context: RuleContext) => string | undefined,
): Rule {
  return defineRule({
    meta: { ...meta, triggers: COROUTINE_TRIGGERS },
    create(context) {
      const { semantic } = context;
      return {
        call(call) {
          const callee = semantic.coroutineCallee(call);
          if (!callee || semantic.isAwaited(call)) return;
          const found: CoroutineCall = {
            call,
            spelled: call.childForFieldName('function')?.text.replace(/\s+/g, '') ?? callee.name,
            definition: callee.definition,
            external: callee.external,
            use: classifyUse(call, semantic),
          };
          const message = check(found, context);
          if (!message) return;
          context.report({ node: call, message: message + remedy(call, context), related: related(found), fixes: fixes(call, context) });
        },
      };
    },
  });
}

function remedy(call: Node, context: RuleContext): string {
  const fn = context.semantic.enclosingFunction(call);
  if (!fn) return '';
  if (fn.isLambda) return ' (a `lambda` cannot `await`: use an `async def`)';
  if (!fn.isAsync) {
    return ` (\`${fn.name}\` is not async: make it \`async def\` and await the call, or run the coroutine with \`asyncio.run()\`)`;
  }
  return '';
}

function fixes(call: Node, { semantic }: RuleContext): Fix[] {
  if (canAwaitHere(call, semantic)) return [{ title: 'Add `await`', edits: insertAwait(call, semantic), safe: true }];
  const fn = semantic.enclosingFunction(call);
  if (!fn || fn.isLambda || fn.isAsync) return [];
  // Making the function async changes what every caller gets back: never applied without review.
  return [{ title: `Make \`${fn.name}\` async and add \`await\``, edits: [...makeAsync(fn), ...insertAwait(call, semantic)], safe: false }];
}

function related(found: CoroutineCall): RelatedInformation[] {
  const def = found.definition;
  const external = found.external;
  if (external) {
    return [
      {
        uri: external.module.uri,
        range: external.summary.nameRange,
        message: `\`${external.qualifiedName}\` is declared \`async def\` here: calling it only creates a coroutine`,
      },
    ];
  }
  if (!def) return [];
  return [{ range: rangeOf(def.nameNode), message: `\`${def.name}\` is declared \`async def\` here: calling it only creates a coroutine` }];
}
