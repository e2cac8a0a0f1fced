/** Renders CLI results as text (file:line:col: CODE [name] message, then a summary) or as one JSON object. */
import type { ConfigError } from '../config/pyproject';
import type { Finding } from '../core/types';
import { ruleStatistics, type RuleCount } from './statistics';

export interface FileReport {
  /** As shown to the user: relative to the working directory when inside it. */
  path: string;
  /** Absolute path, for formats that need a location independent of the working directory (SARIF). */
  file: string;
  findings: Finding[];
  /** Why the file was not analyzed, if it was not. */
  skipped?: string;
}

/** A mistake in a configuration file; `file` is absolute, `path` is as shown. */
export interface ConfigErrorReport extends ConfigError {
  path: string;
}

/** A rule that threw on a file: its findings for that file are lost, which reports must not hide. */
export interface InternalError {
  path: string;
  file: string;
  code: string;
  message: string;
}

/** Everything one `check` run produced, as every output format sees it. */
export interface CheckRun {
  version: string;
  reports: FileReport[];
  configErrors: ConfigErrorReport[];
  internalErrors: InternalError[];
  /** The exit status the run will end with (SARIF records it). */
  exitCode: number;
}

const ANSI = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', reset: '\x1b[0m' };
type Paint = (style: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return (style, text) => (color ? `${ANSI[style]}${text}${ANSI.reset}` : text);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Found 3 problems (1 error, 2 warnings) in 2 of 5 files checked." or "No problems found in 5 files." */
export function summaryLine(reports: readonly FileReport[]): string {
  const findings = reports.flatMap((r) => r.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const filesWithFindings = reports.filter((r) => r.findings.length > 0).length;
  const checked = reports.filter((r) => !r.skipped).length;
  const skipped = reports.length - checked;
  const skippedNote = skipped > 0 ? `, ${plural(skipped, 'file')} skipped` : '';
  if (findings.length === 0) return `No problems found in ${plural(checked, 'file')}${skippedNote}.`;
  return `Found ${plural(findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}) in ${filesWithFindings} of ${plural(checked, 'file')} checked${skippedNote}.`;
}

export function formatFindingsText(reports: readonly FileReport[], color: boolean): string {
  const paint = painter(color);
  const lines: string[] = [];
  for (const report of reports) {
    for (const f of report.findings) {
      const where = `${report.path}:${f.range.start.line + 1}:${f.range.start.character + 1}:`;
      const code = paint(f.severity === 'error' ? 'red' : 'yellow', f.code);
      lines.push(`${paint('bold', where)} ${code} ${paint('dim', `[${f.name}]`)} ${f.message}`);
    }
  }
  if (lines.length > 0) lines.push('');
  lines.push(paint('bold', summaryLine(reports)));
  return lines.join('\n') + '\n';
}

/** Ruff-like `--statistics`: one line per rule (count, code, name), most frequent first, then the summary. */
export function formatStatisticsText(reports: readonly FileReport[], color: boolean): string {
  const paint = painter(color);
  const stats = ruleStatistics(reports);
  const width = String(stats[0]?.count ?? 0).length;
  const anyFixable = stats.some((s) => s.fixable > 0);
  const lines = stats.map((s) => {
    const marker = anyFixable ? (s.fixable > 0 ? '[*] ' : '    ') : '';
    return `${String(s.count).padStart(width)}\t${paint(s.severity === 'error' ? 'red' : 'yellow', s.code)}\t${marker}${s.name}`;
  });
  if (lines.length > 0) lines.push('');
  if (anyFixable) lines.push(paint('dim', '[*] some of these have a safe fix: run with --fix'));
  lines.push(paint('bold', summaryLine(reports)));
  return lines.join('\n') + '\n';
}

export function formatFindingsJson(run: CheckRun, options: { statistics?: boolean } = {}): string {
  const diagnostics = run.reports.flatMap((r) =>
    r.findings.map((f) => ({
      path: r.path,
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      code: f.code,
      name: f.name,
      category: f.category,
      severity: f.severity,
      message: f.message,
    })),
  );
  const statistics: RuleCount[] | undefined = options.statistics ? ruleStatistics(run.reports) : undefined;
  const output = {
    version: run.version,
    diagnostics,
    summary: { files: run.reports.filter((r) => !r.skipped).length, diagnostics: diagnostics.length },
    skipped: run.reports.filter((r) => r.skipped).map((r) => ({ path: r.path, reason: r.skipped })),
    configErrors: run.configErrors.map((e) => ({ path: e.path, line: e.line, column: e.column, message: e.message })),
    ...(statistics && { statistics }),
  };
  return JSON.stringify(output, null, 2) + '\n';
}
