/**
 * One object that owns the parser and turns source text into findings, with
 * the guards every entry point needs: binary and non-UTF-8 input, oversized
 * files, parse time-outs.
 */
import type { Range as ParseRange, Tree } from 'web-tree-sitter';
import type { AnalysisResult } from './analyze';
import { applyFixes } from './fix';
import { analyzeInSlices } from './analyze';
import { fileMayReport, Triggers } from './prefilter';
import { RULES } from '../rules';
import { parseRepaired, repairedSourceInSlices } from './recovery';
import type { Finding, Position, Range } from './types';
import { createPythonParser, type ParserLocation, type PythonParser } from './parser';
import type { AnalyzeOptions } from './types';
import { SemanticModel } from './semantic';
import { runToEnd } from './steps';
import type { WorkspaceLink } from './workspace-types';
import { WorkspaceIndex, type WorkspaceIndexOptions } from '../workspace/index';
import { moduleDetails, summarizeModule } from '../workspace/summary';
import { skeletonOf } from '../workspace/skeleton';

/** Files larger than this are skipped with a message rather than parsed. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export type DecodedSource = { ok: true; text: string } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a file's bytes as UTF-8 Python source, or says why it is not analyzable. */
export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodedSource {
  if (bytes.length > maxBytes) {
    return { ok: false, reason: `file is ${formatSize(bytes.length)}, over the ${formatSize(maxBytes)} limit` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
  try {
    const text = utf8.decode(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}

/** Checks text already decoded (an editor buffer) against the same limits. */
export function checkText(text: string, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodedSource {
  // UTF-16 length is a cheap lower bound of the UTF-8 size; exact enough for a limit.
  if (text.length > maxBytes) return { ok: false, reason: `file is over the ${formatSize(maxBytes)} limit` };
  if (text.slice(0, 8192).includes('\u0000')) return { ok: false, reason: 'binary content (contains NUL characters)' };
  return { ok: true, text };
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Python (and LSP) end a line at a lone `\r` too; tree-sitter counts rows at `\n` only. The
 * same-length replacement keeps every offset and LSP position while making tree rows agree with
 * LSP lines.
 */
export function pythonLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

export class Engine {
  private readonly parser: PythonParser;

  private constructor(parser: PythonParser) {
    this.parser = { parse: (text, previous, range) => parser.parse(pythonLineBreaks(text), previous, range) };
  }

  static async create(location: ParserLocation): Promise<Engine> {
    return new Engine(await createPythonParser(location));
  }

  parse(text: string, previous?: Tree): Tree {
    return this.parser.parse(text, previous);
  }

  /** Parses only `range` of `text`; the nodes keep their positions in the whole text. */
  parseRange(text: string, range: ParseRange): Tree {
    return this.parser.parse(text, undefined, range);
  }

  /** Parses and analyzes in one go; the caller owns (and must `delete()`) the returned tree. */
  analyzeText(text: string, options?: AnalyzeOptions, workspace?: WorkspaceLink): AnalysisResult & { tree: Tree } {
    const tree = this.parser.parse(text);
    return { ...this.analyze(tree, text, options, workspace), tree };
  }

  /**
   * Parses and analyzes, unless the text shows that nothing in it can be reported on (see
   * core/prefilter.ts): then the file is not even parsed. No tree is kept.
   */
  analyzeFile(text: string, options: AnalyzeOptions = {}, workspace?: WorkspaceLink): AnalysisResult & { parsed: boolean } {
    if (!fileMayReport(text, Triggers.of(RULES, options), workspace)) return { findings: [], ruleErrors: [], parsed: false };
    const { tree, ...result } = this.analyzeText(text, options, workspace);
    tree.delete();
    return { ...result, parsed: true };
  }

  /** A workspace index whose modules this engine parses and summarizes. */
  createWorkspaceIndex(options?: WorkspaceIndexOptions): WorkspaceIndex {
    const withTree = <T>(text: string, work: (tree: Tree) => T): T => {
      const tree = this.parser.parse(text);
      try {
        return work(tree);
      } finally {
        tree.delete();
      }
    };
    return new WorkspaceIndex(
      (text, location, uri, link, details) => {
        // With details read later from a parse of the whole text, no body is walked now: a lazy
        // model of the module's skeleton (function bodies left out) tells the rest.
        const source = details ? (skeletonOf(text) ?? text) : text;
        return withTree(source, (tree) => summarizeModule(new SemanticModel(tree.rootNode, link, { source, lazyBodies: !!details }), location.name, uri, location.isPackage, details));
      },
      options,
      (text, location, link) => {
        // Body facts are worked out for sync functions only: the bodies of `async def`s can go.
        const source = skeletonOf(text, { asyncOnly: true }) ?? text;
        return withTree(source, (tree) => moduleDetails(new SemanticModel(tree.rootNode, link, { source }), location.name));
      },
    );
  }

  /**
   * Applies every safe fix, re-analyzing between passes (a fix can reveal or settle others),
   * until nothing is left to fix. A pass that would add syntax errors is thrown away, so the
   * result is never less valid Python than the input; a file that does not parse is not fixed
   * (`syntaxError` says so).
   */
  fixAll(text: string, options?: AnalyzeOptions, maxPasses = 8, workspace?: WorkspaceLink): { text: string; fixed: number; syntaxError?: boolean } {
    let current = text;
    let fixed = 0;
    for (let pass = 0; pass < maxPasses; pass++) {
      const { findings, tree } = this.analyzeText(current, options, workspace);
      const hadErrors = tree.rootNode.hasError;
      tree.delete();
      // Like Ruff, no automatic fixing of a file that does not parse: around a syntax error the tree
      // may not show what the code means (`await x()**` parses without its `await`), and fixing it
      // again on every pass would pile up edits. Quick fixes stay available one at a time.
      if (hadErrors) return { text: current, fixed, ...(pass === 0 ? { syntaxError: true } : {}) };
      const safe = findings.flatMap((f) => f.fixes.filter((fix) => fix.safe).slice(0, 1));
      if (safe.length === 0) break;
      const next = applyFixes(current, safe);
      if (next.applied === 0 || next.text === current) break;
      const check = this.parser.parse(next.text);
      const breaksSyntax = check.rootNode.hasError && !hadErrors;
      check.delete();
      if (breaksSyntax) break;
      current = next.text;
      fixed += next.applied;
    }
    return { text: current, fixed };
  }

  /**
   * Analyzes a parsed file. With syntax errors, also analyzes a repaired copy
   * (broken chunks blanked out) and merges both, so code after the error is still checked.
   */
  analyze(tree: Tree, original: string, options?: AnalyzeOptions, workspace?: WorkspaceLink): AnalysisResult {
    // The sliced analysis with slices that never end: one piece of code for both.
    return runToEnd(this.analyzeInSlices(tree, original, options, workspace, Infinity));
  }

  /**
   * `analyze` in slices, for the language server: yields whenever `sliceMs` of work have passed, so
   * that it can read new messages in between (and drop the work when the document changed; call
   * `return()` on the generator then, which frees the repaired copy's tree). Same findings as `analyze`.
   */
  *analyzeInSlices(tree: Tree, original: string, options?: AnalyzeOptions, workspace?: WorkspaceLink, sliceMs = 8): Generator<void, AnalysisResult> {
    const text = pythonLineBreaks(original);
    const result = yield* analyzeInSlices(tree, text, options ?? {}, workspace, sliceMs);
    result.findings = clampToLines(text, result.findings);
    if (!tree.rootNode.hasError) return result;
    const repair = yield* repairedSourceInSlices(text, this.parser, sliceMs);
    if (repair === undefined) return result;
    const repaired = repair.text;
    const repairedTree = parseRepaired(this.parser, tree, repair);
    try {
      yield;
      const second = yield* analyzeInSlices(repairedTree, repaired, options ?? {}, workspace, sliceMs);
      return { ...result, findings: mergeFindings(result.findings, clampToLines(text, second.findings)), ruleErrors: [...result.ruleErrors, ...second.ruleErrors] };
    } finally {
      repairedTree.delete();
    }
  }
}

/**
 * Moves every position of the findings (ranges, related locations in this file, fix edits) to at
 * most the end of its line. In a CRLF file tree-sitter's comment token, and so any block ending in
 * a comment, ends after the `\r`: a position LSP does not have, and a fix that would eat the `\r`.
 */
export function clampToLines(text: string, findings: Finding[]): Finding[] {
  if (!text.includes('\r')) return findings;
  const lengths = text.split(/\r\n|\r|\n/).map((l) => l.length);
  const pos = (p: Position): Position => {
    const max = lengths[p.line];
    return max !== undefined && p.character > max ? { line: p.line, character: max } : p;
  };
  const range = (r: Range): Range => ({ start: pos(r.start), end: pos(r.end) });
  return findings.map((f) => ({
    ...f,
    range: range(f.range),
    related: f.related.map((r) => (r.uri === undefined ? { ...r, range: range(r.range) } : r)),
    fixes: f.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((e) => ({ ...e, range: range(e.range) })) })),
  }));
}

function findingKey(f: Finding): string {
  return `${f.code}:${f.range.start.line}:${f.range.start.character}:${f.range.end.line}:${f.range.end.character}`;
}

function mergeFindings(a: Finding[], b: Finding[]): Finding[] {
  const seen = new Set(a.map(findingKey));
  const merged = [...a, ...b.filter((f) => !seen.has(findingKey(f)))];
  return merged.sort(
    (x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character || x.code.localeCompare(y.code),
  );
}
