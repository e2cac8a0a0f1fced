/** Converts core findings into LSP diagnostics (code, link to the rule page, related locations). */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { ruleDocUrl } from '../assets';
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

export function toLspDiagnostic(finding: Finding, uri: string, options: DiagnosticOptions): Diagnostic {
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
