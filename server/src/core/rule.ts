/**
 * The shape of a rule: metadata plus a visitor keyed by tree-sitter node type,
 * in the manner of ESLint's `meta`/`create`. Rules report through the context
 * and never see the LSP or the CLI.
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from './fix';
import type { SemanticModel } from './semantic';
import type { AnalyzeOptions, Category, RelatedInformation, Severity } from './types';

export interface RuleMeta {
  /** `AIO` + three digits; the family is the first digit (1 blocking, 2 await, 3 tasks, 6 threads). */
  code: string;
  /** Kebab-case name of the pattern flagged ("allow <name>" should read naturally). */
  name: string;
  category: Category;
  defaultSeverity: Severity;
  /** One sentence for rule lists and `--help`. */
  summary: string;
  /** False for opt-in rules, which run only when selected by full code or given a severity. */
  enabledByDefault?: boolean;
  /**
   * Words the code the rule reports on must contain, directly or in the definition of a name it
   * uses (see core/prefilter.ts): `async` for a rule about coroutine bodies, the modules of the APIs
   * it matches for the others. A function with none of the enabled rules' words is not visited, and
   * a file with none is not parsed. Absent: the rule may report anywhere (nothing is skipped).
   */
  triggers?: readonly string[];
}

export interface Report {
  node: Node;
  message: string;
  related?: RelatedInformation[];
  fixes?: Fix[];
}

export interface RuleContext {
  readonly semantic: SemanticModel;
  readonly source: string;
  /** The options of this run (target version, extra blocking calls); rule selection is already applied. */
  readonly options: AnalyzeOptions;
  report(report: Report): void;
}

export type Visitor = Partial<Record<string, (node: Node) => void>>;

export interface Rule {
  meta: RuleMeta;
  create(context: RuleContext): Visitor;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
