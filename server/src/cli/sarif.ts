/**
 * `--format sarif`: one SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF viewers.
 *
 * Locations: `uri` is relative to the repository root (the nearest folder above the working directory
 * holding `.git`, else the working directory) with `uriBaseId: "%SRCROOT%"`, which code scanning
 * resolves against the checkout; files outside that root get an absolute `file://` URI.
 * Columns: 1-based UTF-16 code units, declared with `columnKind: "utf16CodeUnits"` (what the
 * analysis core and LSP count in, and what CodeQL emits; the SARIF default would be code points).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { rulesDocsDir } from '../assets';
import type { Finding, Range, Severity } from '../core/types';
import { RULES } from '../rules';
import type { CheckRun } from './report';

export const PROJECT_URL = 'https://github.com/async-pitfalls/async-pitfalls';
const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** Our own fingerprint key: code scanning still computes its `primaryLocationLineHash` next to it. */
const FINGERPRINT_KEY = 'asyncPitfalls/v1';

export function ruleHelpUri(code: string): string {
  return `${PROJECT_URL}/blob/main/docs/rules/${code}.md`;
}

function level(severity: Severity): Sarif.ReportingConfiguration.level {
  if (severity === 'error') return 'error';
  if (severity === 'warning') return 'warning';
  return 'note';
}

/** The nearest folder at or above `start` that holds `.git` (a folder, or a file in worktrees), else `start`. */
export function repositoryRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function markdownSection(page: string, heading: string): string | undefined {
  const start = page.indexOf(`\n## ${heading}\n`);
  if (start < 0) return undefined;
  const body = page.slice(start + heading.length + 5);
  const end = body.search(/\n## /);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/** Markdown to readable plain text: enough for `help.text`, which viewers without Markdown show. */
function plainText(markdown: string): string {
  return markdown
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]*)\)/g, '$1: $2');
}

interface RuleHelp {
  fullDescription?: string;
  text: string;
  markdown: string;
}

/** "What it does" and "How to fix it" from the rule's page, so the alert explains itself offline. */
function ruleHelp(code: string, docsDir: string): RuleHelp | undefined {
  let page: string;
  try {
    page = fs.readFileSync(path.join(docsDir, `${code}.md`), 'utf8').replace(/\r\n/g, '\n');
  } catch {
    return undefined;
  }
  const what = markdownSection(page, 'What it does');
  const fix = markdownSection(page, 'How to fix it');
  if (!what && !fix) return undefined;
  const markdown = [what && `## What it does\n\n${what}`, fix && `## How to fix it\n\n${fix}`, `[Full documentation](${ruleHelpUri(code)})`]
    .filter(Boolean)
    .join('\n\n');
  const firstParagraph = what?.split(/\n\s*\n/)[0]?.replace(/\s*\n\s*/g, ' ');
  return { fullDescription: firstParagraph && plainText(firstParagraph), text: plainText(markdown), markdown };
}

function ruleDescriptors(): Sarif.ReportingDescriptor[] {
  const docsDir = rulesDocsDir();
  return RULES.map(({ meta }) => {
    const help = ruleHelp(meta.code, docsDir);
    return {
      id: meta.code,
      name: meta.name,
      shortDescription: { text: meta.summary },
      fullDescription: { text: help?.fullDescription ?? meta.summary },
      helpUri: ruleHelpUri(meta.code),
      ...(help && { help: { text: help.text, markdown: help.markdown } }),
      defaultConfiguration: { level: level(meta.defaultSeverity), enabled: meta.enabledByDefault !== false },
      properties: { tags: [meta.category, 'asyncio', 'python'], category: meta.category },
    };
  });
}

function region(range: Range): Sarif.Region {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    // Exclusive in both SARIF and the core, so the same +1 applies.
    endColumn: range.end.character + 1,
  };
}

class Artifacts {
  private readonly lines = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  location(file: string): Sarif.ArtifactLocation {
    const relative = path.relative(this.root, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return { uri: pathToFileURL(file).href };
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }

  /** The finding's first line as it is on disk now (after `--fix` rewrote it, if it did). */
  lineText(file: string, line: number): string {
    let lines = this.lines.get(file);
    if (!lines) {
      try {
        lines = fs.readFileSync(file, 'utf8').split(/\r?\n|\r/);
      } catch {
        lines = [];
      }
      this.lines.set(file, lines);
    }
    return lines[line] ?? '';
  }
}

function fileFromUri(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

function result(finding: Finding, file: string, ruleIndex: number, artifacts: Artifacts, fingerprint: string): Sarif.Result {
  const relatedLocations = finding.related.map(
    (related, i): Sarif.Location => ({
      id: i + 1,
      physicalLocation: { artifactLocation: artifacts.location(related.uri ? fileFromUri(related.uri) : file), region: region(related.range) },
      message: { text: related.message },
    }),
  );
  return {
    ruleId: finding.code,
    ...(ruleIndex >= 0 && { ruleIndex }),
    level: level(finding.severity),
    message: { text: finding.message },
    locations: [{ physicalLocation: { artifactLocation: artifacts.location(file), region: region(finding.range) } }],
    ...(relatedLocations.length > 0 && { relatedLocations }),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
  };
}

/**
 * Stable across runs while the flagged line's text stays the same, even when lines above it move:
 * rule + repository-relative path + the trimmed line, numbered when the same triple repeats.
 */
function fingerprinter(): (code: string, uri: string, lineText: string) => string {
  const seen = new Map<string, number>();
  return (code, uri, lineText) => {
    const hash = createHash('sha256').update(`${code}\0${uri}\0${lineText.trim()}`).digest('hex').slice(0, 32);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  };
}

function notifications(run: CheckRun, artifacts: Artifacts, ruleIndexes: ReadonlyMap<string, number>): Sarif.Notification[] {
  const out: Sarif.Notification[] = [];
  for (const e of run.configErrors) {
    const physicalLocation: Sarif.PhysicalLocation = { artifactLocation: artifacts.location(e.file) };
    if (e.line > 0) physicalLocation.region = { startLine: e.line, ...(e.column > 0 && { startColumn: e.column }) };
    out.push({ level: 'error', message: { text: `invalid configuration: ${e.message}` }, locations: [{ physicalLocation }] });
  }
  for (const r of run.reports) {
    if (r.skipped) out.push({ level: 'warning', message: { text: `skipped: ${r.skipped}` }, locations: [{ physicalLocation: { artifactLocation: artifacts.location(r.file) } }] });
  }
  for (const e of run.internalErrors) {
    const index = ruleIndexes.get(e.code);
    out.push({
      level: 'error',
      message: { text: `internal error in ${e.code}, its findings for this file are missing: ${e.message}` },
      locations: [{ physicalLocation: { artifactLocation: artifacts.location(e.file) } }],
      ...(index !== undefined && { associatedRule: { id: e.code, index } }),
    });
  }
  return out;
}

export function buildSarif(run: CheckRun, cwd = process.cwd()): Sarif.Log {
  const root = repositoryRoot(cwd);
  const artifacts = new Artifacts(root);
  const rules = ruleDescriptors();
  const ruleIndexes = new Map(rules.map((r, i) => [r.id, i]));
  const fingerprint = fingerprinter();
  const results = run.reports.flatMap((report) =>
    report.findings.map((f) => {
      const uri = artifacts.location(report.file).uri ?? report.file;
      return result(f, report.file, ruleIndexes.get(f.code) ?? -1, artifacts, fingerprint(f.code, uri, artifacts.lineText(report.file, f.range.start.line)));
    }),
  );
  return {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'async-pitfalls', version: run.version, semanticVersion: run.version, informationUri: PROJECT_URL, rules } },
        invocations: [
          {
            // A broken configuration fails the run (exit 2), as on the terminal; a rule that threw does not.
            executionSuccessful: run.configErrors.length === 0,
            exitCode: run.exitCode,
            toolExecutionNotifications: notifications(run, artifacts, ruleIndexes),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(root + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(run: CheckRun, cwd?: string): string {
  return JSON.stringify(buildSarif(run, cwd), null, 2) + '\n';
}
