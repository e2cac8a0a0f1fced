/**
 * The analysis entry point shared by the CLI and the language server: build
 * the semantic model of a parsed file, run the enabled rules in one walk over
 * the tree, and return findings sorted by position.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { RULES } from '../rules';
import type { Rule, RuleContext, Visitor } from './rule';
import { SemanticModel } from './semantic';
import { suppressionFixes, Suppressions } from './suppressions';
import { rangeOf } from './syntax';
import { isRuleEnabled, severityOf } from './selection';
import type { AnalyzeOptions, Finding } from './types';
import type { WorkspaceLink } from './workspace-types';

export interface AnalysisResult {
  findings: Finding[];
  /** Rules that threw: their findings for this file are dropped, the other rules still report. */
  ruleErrors: Array<{ code: string; error: unknown }>;
  /** The analysis hit `timeLimitMs` and stopped early: the findings cover the file up to that point. */
  timedOut?: boolean;
}

export function analyzeTree(
  tree: Tree,
  source: string,
  options: AnalyzeOptions = {},
  rules: readonly Rule[] = RULES,
  workspace?: WorkspaceLink,
): AnalysisResult {
  const semantic = new SemanticModel(tree.rootNode, workspace);
  const findings: Finding[] = [];
  const ruleErrors: AnalysisResult['ruleErrors'] = [];
  const listeners = new Map<string, Array<{ rule: Rule; visit: (node: Node) => void }>>();

  for (const rule of rules) {
    if (!isRuleEnabled(rule.meta.code, options, rule.meta.enabledByDefault ?? true)) continue;
    const severity = severityOf(rule, options);
    const context: RuleContext = {
      semantic,
      source,
      options,
      report({ node, message, related, fixes }) {
        findings.push({
          code: rule.meta.code,
          name: rule.meta.name,
          category: rule.meta.category,
          severity,
          message,
          range: rangeOf(node),
          related: related ?? [],
          fixes: fixes ?? [],
        });
      },
    };
    let visitor: Visitor;
    try {
      visitor = rule.create(context);
    } catch (error) {
      ruleErrors.push({ code: rule.meta.code, error });
      continue;
    }
    for (const [type, visit] of Object.entries(visitor)) {
      if (!visit) continue;
      const list = listeners.get(type) ?? [];
      list.push({ rule, visit });
      listeners.set(type, list);
    }
  }

  const suppressions = new Suppressions();
  const failed = new Set<Rule>();
  const deadline = options.timeLimitMs !== undefined ? performance.now() + options.timeLimitMs : Infinity;
  let timedOut = false;
  let visited = 0;
  for (const node of semantic.preorder) {
    // Checking the clock every node would cost more than some rules; every 512 is within a millisecond.
    if ((++visited & 511) === 0 && performance.now() > deadline) {
      timedOut = true;
      break;
    }
    const type = node.type;
    if (type === 'comment') {
      suppressions.addComment(node.startPosition.row, node.text, node.startPosition.column);
      continue;
    }
    const forType = listeners.get(type);
    if (!forType) continue;
    for (const { rule, visit } of forType) {
      if (failed.has(rule)) continue;
      try {
        visit(node);
      } catch (error) {
        failed.add(rule);
        ruleErrors.push({ code: rule.meta.code, error });
      }
    }
  }
  return finish();

  function finish(): AnalysisResult {
    // A rule that threw may have reported half of what it meant to: none of its findings are kept.
    const broken = new Set(ruleErrors.map((e) => e.code));
    const kept = findings.filter((f) => !broken.has(f.code) && !suppressions.isSuppressed(f.range.start.line, f.code));
    const lines = source.split(/\r\n|\r|\n/);
    for (const f of kept) f.fixes.push(...suppressionFixes(f, lines, suppressions, tree.rootNode));
    // Editors apply edits that start at the same place in the order given, and Neovim 0.7 and eglot
    // garble a replacement listed before an insertion there (`time.sleep` -> `asyncio.sleep`, then
    // `await `): every fix lists its edits by position, insertions first, as applyEdits applies them.
    for (const f of kept) for (const fix of f.fixes) fix.edits.sort((a, b) => comparePositions(a.range.start, b.range.start) || comparePositions(a.range.end, b.range.end));
    // Fixes are written with "\n"; a file with Windows line endings keeps them.
    if (source.includes('\r\n')) {
      for (const f of kept) for (const fix of f.fixes) for (const e of fix.edits) e.newText = e.newText.replace(/\r?\n/g, '\r\n');
    }
    kept.sort(
      (a, b) =>
        a.range.start.line - b.range.start.line ||
        a.range.start.character - b.range.start.character ||
        a.code.localeCompare(b.code),
    );
    return { findings: kept, ruleErrors, ...(timedOut ? { timedOut } : {}) };
  }
}

function comparePositions(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}
