/**
 * The analysis entry point shared by the CLI and the language server: build
 * the semantic model of a parsed file, run the enabled rules in one walk over
 * the code that can be reported on, and return findings sorted by position.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { RULES } from '../rules';
import type { Rule, RuleContext, Visitor } from './rule';
import { chunksToVisitInSteps, Triggers } from './prefilter';
import { SemanticModel, type Chunk } from './semantic';
import { runToEnd } from './steps';
import { suppressionFixes, Suppressions } from './suppressions';
import { rangeOf } from './syntax';
import { isRuleEnabled, severityOf } from './selection';
import type { AnalyzeOptions, Finding } from './types';
import type { WorkspaceLink } from './workspace-types';

export interface AnalysisResult {
  findings: Finding[];
  /** Rules that threw: their findings for this file are dropped, the other rules still report. */
  ruleErrors: Array<{ code: string; error: unknown }>;
  /** The analysis hit `timeLimitMs` and stopped early: the findings cover the file up to that point. */
  timedOut?: boolean;
  /**
   * The top-level function or method whose walk reported each finding (absent: code outside every
   * function). The language server reuses a function's findings while edits happen elsewhere.
   */
  origins?: Map<Finding, Chunk>;
  /**
   * For findings reported from code outside every function: where the node being visited starts.
   * The language server reuses a module-level statement's findings while edits happen elsewhere.
   */
  outsideAt?: Map<Finding, number>;
  /** The chunks of the analyzed tree, in document order. */
  chunks?: readonly Chunk[];
  /** The module's statements, in document order. */
  statements?: readonly Node[];
}

/** The full analysis of a parsed file in one go, visiting every function (see `analyzeEveryFunction`). */
export function analyzeTree(
  tree: Tree,
  source: string,
  options: AnalyzeOptions = {},
  rules: readonly Rule[] = RULES,
  workspace?: WorkspaceLink,
): AnalysisResult {
  return runToEnd(analyzeEveryFunction(tree, source, options, workspace, Infinity, rules));
}

/**
 * The full analysis, in slices: the generator yields every few milliseconds of work so that the
 * language server can read new messages in between (and drop the work when the document changed).
 * Only the functions that the pre-filter (core/prefilter.ts) keeps are built and visited; the
 * findings are those of `analyzeEveryFunction`.
 */
export function* analyzeInSlices(
  tree: Tree,
  source: string,
  options: AnalyzeOptions,
  workspace: WorkspaceLink | undefined,
  sliceMs = 8,
): Generator<void, AnalysisResult> {
  const triggers = Triggers.of(RULES, options);
  if (triggers.everything) return yield* analyzeEveryFunction(tree, source, options, workspace, sliceMs);
  const clock = new SliceClock(sliceMs);
  const semantic = new SemanticModel(tree.rootNode, workspace, { lazyBodies: true, source, inSlices: true });
  // The walk of the code outside functions: hundreds of milliseconds for 100,000 lines.
  while (!semantic.buildSome(() => clock.due())) yield* clock.tick();
  const runner = new RuleRunner(semantic, source, options);
  const choosing = chunksToVisitInSteps(semantic, source, triggers, workspace?.classify ? { classify: workspace.classify, classifyCallee: workspace.classifyCallee } : undefined);
  let chosen = choosing.next();
  for (; !chosen.done; chosen = choosing.next()) yield* clock.tick();
  const visited = chosen.value;
  // In document order, as `analyzeEveryFunction` does: a time limit keeps the findings of the file up to where it stopped.
  const outside = semantic.outsideChunks;
  let next = 0;
  for (const chunk of [...visited, undefined]) {
    let end = next;
    while (end < outside.length && (!chunk || outside[end]!.startIndex < chunk.start)) end++;
    if (!(yield* visitInSlices(runner, outside.slice(next, end), undefined, clock))) return runner.finish();
    next = end;
    if (!chunk) break;
    semantic.buildChunk(chunk);
    if (!(yield* visitInSlices(runner, chunk.nodes, chunk, clock))) return runner.finish();
  }
  // A suppression for the whole file may sit in a function that is not visited.
  if (source.includes('async-pitfalls')) {
    const skipped = new Set(semantic.chunks);
    for (const chunk of visited) skipped.delete(chunk);
    for (const chunk of skipped) {
      if (!semantic.chunkMentions(chunk, 'async-pitfalls')) continue;
      semantic.buildChunk(chunk);
      runner.visit(chunk.nodes.filter((n) => n.type === 'comment'), () => chunk);
    }
  }
  return runner.finish();
}

/** Yields whenever `sliceMs` have passed since the last yield. */
class SliceClock {
  private start = performance.now();
  constructor(private readonly sliceMs: number) {}
  /** Whether this slice's time is up. */
  due(): boolean {
    return performance.now() - this.start > this.sliceMs;
  }
  *tick(): Generator<void, void> {
    if (this.due()) {
      yield;
      this.start = performance.now();
    }
  }
}

/** Visits `nodes` 256 at a time, yielding between slices; false once the time limit is hit. */
function* visitInSlices(runner: RuleRunner, nodes: readonly Node[], chunk: Chunk | undefined, clock: SliceClock): Generator<void, boolean> {
  for (let i = 0; i < nodes.length; i += 256) {
    if (!runner.visit(nodes.slice(i, i + 256), () => chunk)) return false;
    yield* clock.tick();
  }
  return true;
}

/**
 * The full analysis with every function visited, in document order: the same findings (see
 * core/prefilter.ts), for rules that name no trigger words, and the reference the tests compare with.
 */
export function* analyzeEveryFunction(
  tree: Tree,
  source: string,
  options: AnalyzeOptions,
  workspace: WorkspaceLink | undefined,
  sliceMs = 8,
  rules: readonly Rule[] = RULES,
): Generator<void, AnalysisResult> {
  const clock = new SliceClock(sliceMs);
  const semantic = new SemanticModel(tree.rootNode, workspace, { source, inSlices: true });
  while (!semantic.buildSome(() => clock.due())) yield* clock.tick();
  const runner = new RuleRunner(semantic, source, options, rules);
  const nodes = semantic.preorder;
  const chunks = semantic.chunks;
  let next = 0;
  const originOf = (node: Node) => {
    while (next < chunks.length && chunks[next]!.end <= node.startIndex) next++;
    const chunk = chunks[next];
    return chunk && chunk.start <= node.startIndex && node.startIndex < chunk.end ? chunk : undefined;
  };
  for (let i = 0; i < nodes.length; i += 256) {
    if (!runner.visit(nodes.slice(i, i + 256), originOf)) break;
    yield* clock.tick();
  }
  return runner.finish();
}

/**
 * Runs the enabled rules over nodes of one semantic model: all of them in one go (the CLI), or the
 * code outside functions plus the functions an edit touched (the language server).
 */
export class RuleRunner {
  private readonly findings: Finding[] = [];
  private readonly ruleErrors: AnalysisResult['ruleErrors'] = [];
  private readonly origins = new Map<Finding, Chunk>();
  private readonly outsideAt = new Map<Finding, number>();
  private readonly listeners = new Map<string, Array<{ rule: Rule; visit: (node: Node) => void }>>();
  private readonly failed = new Set<Rule>();
  readonly suppressions = new Suppressions();
  private readonly deadline: number;
  private origin: Chunk | undefined;
  private visiting: Node | undefined;
  private visited = 0;
  timedOut = false;

  constructor(
    readonly semantic: SemanticModel,
    readonly source: string,
    readonly options: AnalyzeOptions,
    rules: readonly Rule[] = RULES,
  ) {
    this.deadline = options.timeLimitMs !== undefined ? performance.now() + options.timeLimitMs : Infinity;
    for (const rule of rules) {
      if (!isRuleEnabled(rule.meta.code, options, rule.meta.enabledByDefault ?? true)) continue;
      const severity = severityOf(rule, options);
      const context: RuleContext = {
        semantic,
        source,
        options,
        report: ({ node, message, related, fixes }) => {
          const finding: Finding = {
            code: rule.meta.code,
            name: rule.meta.name,
            category: rule.meta.category,
            severity,
            message,
            range: rangeOf(node),
            related: related ?? [],
            fixes: fixes ?? [],
          };
          this.findings.push(finding);
          if (this.origin) this.origins.set(finding, this.origin);
          else if (this.visiting) this.outsideAt.set(finding, this.visiting.startIndex);
        },
      };
      let visitor: Visitor;
      try {
        visitor = rule.create(context);
      } catch (error) {
        this.ruleErrors.push({ code: rule.meta.code, error });
        continue;
      }
      for (const [type, visit] of Object.entries(visitor)) {
        if (!visit) continue;
        const list = this.listeners.get(type) ?? [];
        list.push({ rule, visit });
        this.listeners.set(type, list);
      }
    }
  }

  /** Visits `nodes` in order; `originOf` tells which chunk each belongs to. False once the time limit is hit. */
  visit(nodes: Iterable<Node>, originOf: (node: Node) => Chunk | undefined): boolean {
    if (this.timedOut) return false;
    for (const node of nodes) {
      // Checking the clock every node would cost more than some rules; every 512 is within a millisecond.
      if ((++this.visited & 511) === 0 && performance.now() > this.deadline) {
        this.timedOut = true;
        return false;
      }
      const type = node.type;
      if (type === 'comment') {
        this.suppressions.addComment(node.startPosition.row, node.text, node.startPosition.column);
        continue;
      }
      const forType = this.listeners.get(type);
      if (!forType) continue;
      this.origin = originOf(node);
      this.visiting = node;
      for (const { rule, visit } of forType) {
        if (this.failed.has(rule)) continue;
        try {
          visit(node);
        } catch (error) {
          this.failed.add(rule);
          this.ruleErrors.push({ code: rule.meta.code, error });
        }
      }
    }
    this.origin = undefined;
    this.visiting = undefined;
    return true;
  }

  finish(): AnalysisResult {
    const { source, suppressions, ruleErrors } = this;
    // A rule that threw may have reported half of what it meant to: none of its findings are kept.
    const broken = new Set(ruleErrors.map((e) => e.code));
    const kept = this.findings.filter((f) => !broken.has(f.code) && !suppressions.isSuppressed(f.range.start.line, f.code));
    const lines = kept.length > 0 ? source.split(/\r\n|\r|\n/) : [];
    for (const f of kept) f.fixes.push(...suppressionFixes(f, lines, suppressions, this.semantic.rootForRow(f.range.start.line)));
    // Editors apply edits that start at the same place in the order given, and Neovim 0.7 and eglot
    // garble a replacement listed before an insertion there (`time.sleep` -> `asyncio.sleep`, then
    // `await `): every fix lists its edits by position, insertions first, as applyEdits applies them.
    for (const f of kept) for (const fix of f.fixes) fix.edits.sort((a, b) => comparePositions(a.range.start, b.range.start) || comparePositions(a.range.end, b.range.end));
    // Fixes are written with "\n"; a file with Windows line endings keeps them.
    if (source.includes('\r\n')) {
      for (const f of kept) for (const fix of f.fixes) for (const e of fix.edits) e.newText = e.newText.replace(/\r?\n/g, '\r\n');
    }
    sortFindings(kept);
    return { findings: kept, ruleErrors, origins: this.origins, outsideAt: this.outsideAt, chunks: this.semantic.chunks, statements: this.semantic.topLevel, ...(this.timedOut ? { timedOut: true } : {}) };
  }
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.code.localeCompare(b.code),
  );
}

function comparePositions(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}
