/** Counts per rule for `--statistics`: which pitfalls dominate a codebase, before reading each finding. */
import type { Finding, Severity } from '../core/types';

export interface RuleCount {
  code: string;
  name: string;
  /** The severity of the rule's findings (the configuration can change it from the default). */
  severity: Severity;
  count: number;
  /** How many of them `--fix` would fix. */
  fixable: number;
}

export function ruleStatistics(reports: ReadonlyArray<{ findings: readonly Finding[] }>): RuleCount[] {
  const byCode = new Map<string, RuleCount>();
  for (const finding of reports.flatMap((r) => r.findings)) {
    let entry = byCode.get(finding.code);
    if (!entry) {
      entry = { code: finding.code, name: finding.name, severity: finding.severity, count: 0, fixable: 0 };
      byCode.set(finding.code, entry);
    }
    entry.count++;
    if (finding.fixes.some((f) => f.safe)) entry.fixable++;
  }
  // Most frequent first; the code breaks ties so the order is stable between runs.
  return [...byCode.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
