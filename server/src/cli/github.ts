/**
 * `--format github`: GitHub Actions workflow commands, which the runner turns into annotations on
 * the pull request's diff and the run summary. One `::error`/`::warning`/`::notice` line per finding,
 * per skipped file and per configuration mistake, then the plain summary line for the log.
 */
import type { Severity } from '../core/types';
import { summaryLine, type CheckRun } from './report';

/** The runner decodes these in a command's message (as @actions/core's escapeData does). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** In `key=value` properties `:` and `,` are separators too (as @actions/core's escapeProperty does). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Command = 'error' | 'warning' | 'notice';

interface Annotation {
  file: string;
  line?: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title?: string;
}

export function workflowCommand(command: Command, where: Annotation, message: string): string {
  const properties = Object.entries(where)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${command} ${properties}::${escapeData(message)}`;
}

function commandFor(severity: Severity): Command {
  if (severity === 'error') return 'error';
  if (severity === 'warning') return 'warning';
  return 'notice';
}

/** Paths are as shown (relative to the working directory), which is what the runner resolves against the checkout. */
export function formatGithub(run: CheckRun): string {
  const lines: string[] = [];
  for (const report of run.reports) {
    for (const f of report.findings) {
      lines.push(
        workflowCommand(
          commandFor(f.severity),
          {
            file: report.path,
            line: f.range.start.line + 1,
            col: f.range.start.character + 1,
            endLine: f.range.end.line + 1,
            endColumn: f.range.end.character + 1,
            title: `${f.code} ${f.name}`,
          },
          f.message,
        ),
      );
    }
    if (report.skipped) lines.push(workflowCommand('warning', { file: report.path, title: 'async-pitfalls: file skipped' }, report.skipped));
  }
  for (const e of run.configErrors) {
    const where = e.line > 0 ? { file: e.path, line: e.line, col: e.column > 0 ? e.column : undefined } : { file: e.path };
    lines.push(workflowCommand('error', { ...where, title: 'async-pitfalls: invalid configuration' }, e.message));
  }
  for (const e of run.internalErrors) {
    lines.push(workflowCommand('error', { file: e.path, title: `async-pitfalls: internal error in ${e.code}` }, e.message));
  }
  lines.push(summaryLine(run.reports));
  return lines.join('\n') + '\n';
}
