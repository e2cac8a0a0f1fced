/** Which rules run, and at which severity, under a set of options. */
import type { Rule } from './rule';
import type { AnalyzeOptions, Severity } from './types';

function matchesAny(code: string, prefixes: readonly string[] | undefined): boolean {
  return !!prefixes && prefixes.some((p) => p.length > 0 && code.startsWith(p.toUpperCase()));
}

/**
 * An opt-in rule (`enabledByDefault: false`) runs only when named by its full code in
 * `select`, or given a severity: a prefix such as `AIO7` does not switch it on.
 */
export function isRuleEnabled(code: string, options: AnalyzeOptions = {}, enabledByDefault = true): boolean {
  const severity = options.severity?.[code];
  if (severity === 'off') return false;
  if (matchesAny(code, options.ignore)) return false;
  const named = (list: readonly string[] | undefined): boolean => (list ?? []).some((s) => s.toUpperCase() === code);
  if (!enabledByDefault) return named(options.select) || named(options.extendSelect) || severity !== undefined;
  if (matchesAny(code, options.extendSelect)) return true;
  return !(options.select && options.select.length > 0 && !matchesAny(code, options.select));
}

export function severityOf(rule: Rule, options: AnalyzeOptions = {}): Severity {
  const configured = options.severity?.[rule.meta.code];
  return configured && configured !== 'off' ? configured : rule.meta.defaultSeverity;
}

