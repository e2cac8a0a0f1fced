/** Converts core findings into LSP diagnostics (code, link to the rule page, related locations). */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { ruleDocUrl } from '../assets';
import * as fs from 'node:fs';
import { readProjectConfig, type ConfigError } from '../config/pyproject';
import type { Finding, Severity } from '../core/types';

export const DIAGNOSTIC_SOURCE = 'async-pitfalls';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticOptions {
  relatedInformation: boolean;
  docsBaseUrl?: string;
}

/**
 * The diagnostic made last for each finding, with what it was made for: a finding that typing left
 * where it was is published as the same object again (its JSON is then kept, see `serialize`).
 */
const made = new WeakMap<Finding, { uri: string; relatedInformation: boolean; docsBaseUrl: string | undefined; diagnostic: Diagnostic }>();

export function toLspDiagnostic(finding: Finding, uri: string, options: DiagnosticOptions): Diagnostic {
  const last = made.get(finding);
  if (last && last.uri === uri && last.relatedInformation === options.relatedInformation && last.docsBaseUrl === options.docsBaseUrl) return last.diagnostic;
  const diagnostic = newLspDiagnostic(finding, uri, options);
  made.set(finding, { uri, relatedInformation: options.relatedInformation, docsBaseUrl: options.docsBaseUrl, diagnostic });
  return diagnostic;
}

function newLspDiagnostic(finding: Finding, uri: string, options: DiagnosticOptions): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: ruleDocUrl(finding.code, options.docsBaseUrl || undefined) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data: { name: finding.name, category: finding.category },
  };
  if (options.relatedInformation && finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message }));
  }
  return diagnostic;
}

/** One informational diagnostic on the first line saying why the file was not analyzed. */
export function skippedFileDiagnostic(reason: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `async-pitfalls did not analyze this file: ${reason}`,
  };
}

export function partialAnalysisDiagnostic(reason: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `async-pitfalls analyzed only part of this file: ${reason}`,
  };
}

/** An error in `[tool.async-pitfalls]`, shown on the pyproject.toml line it is about. */
export function configErrorDiagnostic(error: ConfigError): Diagnostic {
  const line = Math.max(error.line - 1, 0);
  const character = Math.max(error.column - 1, 0);
  return {
    range: { start: { line, character }, end: { line: line + 1, character: 0 } },
    severity: DiagnosticSeverity.Error,
    source: 'async-pitfalls',
    code: 'config',
    message: `${error.message} (this entry is ignored; the rest of the configuration applies)`,
  };
}

/** The errors of one pyproject.toml as it is now on disk (none when it is gone or fine). */
export function readConfigErrors(file: string): ConfigError[] {
  try {
    return readProjectConfig(file, fs.readFileSync(file, 'utf8')).errors;
  } catch {
    return [];
  }
}
