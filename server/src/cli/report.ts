/** Renders CLI results as text (file:line:col: CODE [name] message, then a summary) or as one JSON object. */
import type { Finding } from '../core/types';

export interface FileReport {
  path: string;
  findings: Finding[];
  /** Why the file was not analyzed, if it was not. */
  skipped?: string;
}

const ANSI = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', reset: '\x1b[0m' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatFindingsText(reports: readonly FileReport[], color: boolean): string {
  const paint = (style: keyof typeof ANSI, text: string) => (color ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  let total = 0;
  let errors = 0;
  let filesWithFindings = 0;
  for (const report of reports) {
    if (report.findings.length > 0) filesWithFindings++;
    for (const f of report.findings) {
      total++;
      if (f.severity === 'error') errors++;
      const where = `${report.path}:${f.range.start.line + 1}:${f.range.start.character + 1}:`;
      const code = paint(f.severity === 'error' ? 'red' : 'yellow', f.code);
      lines.push(`${paint('bold', where)} ${code} ${paint('dim', `[${f.name}]`)} ${f.message}`);
    }
  }
  const checked = reports.filter((r) => !r.skipped).length;
  const skipped = reports.length - checked;
  const skippedNote = skipped > 0 ? `, ${plural(skipped, 'file')} skipped` : '';
  if (total === 0) {
    lines.push(paint('bold', `No problems found in ${plural(checked, 'file')}${skippedNote}.`));
  } else {
    lines.push('');
    lines.push(
      paint(
        'bold',
        `Found ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(total - errors, 'warning')}) in ${filesWithFindings} of ${plural(checked, 'file')} checked${skippedNote}.`,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

export function formatFindingsJson(
  reports: readonly FileReport[],
  version: string,
  configErrors: ReadonlyArray<{ file: string; line: number; column: number; message: string }> = [],
): string {
  const diagnostics = reports.flatMap((r) =>
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
  const output = {
    version,
    diagnostics,
    summary: { files: reports.filter((r) => !r.skipped).length, diagnostics: diagnostics.length },
    skipped: reports.filter((r) => r.skipped).map((r) => ({ path: r.path, reason: r.skipped })),
    configErrors: configErrors.map((e) => ({ path: e.file, line: e.line, column: e.column, message: e.message })),
  };
  return JSON.stringify(output, null, 2) + '\n';
}
