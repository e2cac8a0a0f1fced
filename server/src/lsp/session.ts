/**
 * The language server's state and handlers: open documents with their syntax
 * trees (edited and reparsed incrementally), per-document settings pulled with
 * `workspace/configuration`, and diagnostics pushed right after each burst of
 * edits. Every handler is guarded: a failure is logged, never fatal.
 */
import { Edit, type Node, type Tree } from 'web-tree-sitter';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  type CodeAction,
  type CodeActionParams,
  type ExecuteCommandParams,
  type Hover,
  type HoverParams,
  MarkupKind,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
  TextDocumentSyncKind,
  type Connection,
  type DidChangeTextDocumentParams,
  type DidOpenTextDocumentParams,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentContentChangeEvent,
  DidChangeWatchedFilesNotification,
  type DidChangeWatchedFilesParams,
  FileChangeType,
} from 'vscode-languageserver/node';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigResolver, formatConfigError, isExcluded, optionsForFile, type ResolvedConfig } from '../config/resolve';
import type { ConfigError } from '../config/pyproject';
import type { AnalyzeOptions } from '../core/types';
import type { WorkspaceIndex } from '../workspace/index';
import type { WorkspaceLink } from '../core/workspace-types';
import { BackgroundIndexer } from './indexer';
import { yieldToMessages } from './event-loop';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkText, clampToLines, pythonLineBreaks, type Engine } from '../core/engine';
import type { AnalysisResult } from '../core/analyze';
import type { Finding } from '../core/types';
import { analyzeIncrementally, analyzeWhileTyping, chunkedFindings, idleTypingModel, typingModelOf, type ChunkedFindings, type FunctionSpan, type TextChange, type TypingModel } from '../core/incremental';
import { keptRootOf } from '../core/kept-root';
import { runToEnd } from '../core/steps';
import { configErrorDiagnostic, partialAnalysisDiagnostic, readConfigErrors, toLspDiagnostic, skippedFileDiagnostic } from './diagnostics';
import { findingHover, vocabularyHover } from './hover';
import { analyzeOptionsOf, DEFAULT_SETTINGS, normalizeSettings, SETTINGS_SECTION, type Settings } from './settings';

interface OpenDocument {
  document: TextDocument;
  /** The last tree, already `edit`ed for changes made since it was parsed. */
  tree: Tree | undefined;
  scheduled: boolean;
  /** Findings of the last analysis and the version they belong to, for code actions. */
  findings?: { version: number; items: Finding[] };
  /** Changes since the last analysis, for reusing its findings; undefined after a full-text change. */
  changes: TextChange[] | undefined;
  /** The last analysis's findings by function, when they can seed an incremental one. */
  chunked?: ChunkedFindings;
  /**
   * The function whose text changed since `tree` was parsed, which the analyses since parsed alone
   * (see `analyzeEditedFunction`), in the last analysis's offsets. `tree` is out of date inside it.
   */
  editedFunction?: FunctionSpan;
  /** The model of the last analysis while typing (see `TypingModel`): the next keystroke's to carry over. */
  typing?: TypingModel;
  /** That model being built in slices while the editor is idle, for `tree` as it was parsed (see `prepareTyping`). */
  preparing?: { tree: Tree; steps: Generator<void, TypingModel | undefined> };
  /** The text the last analysis started from (the one `changes` are changes of). */
  analyzedText?: string;
  /** Some findings on screen were carried over from before the last edits: a full analysis is due once typing pauses. */
  settleTimer?: NodeJS.Timeout;
  /** The analysis in progress, if any. */
  running?: Promise<void>;
}

/** How long typing must pause before a full analysis settles what incremental ones carried over. */
const SETTLE_DELAY_MS = 300;

/** The longest a slice of building the model for typing takes while the editor is idle. */
const IDLE_SLICE_MS = 4;

/** Custom request: run the full analysis due for a document now; answers with the version it covers. */
export const SETTLE_REQUEST = 'asyncPitfalls/settle';

export const FIX_ALL_KIND = 'source.fixAll.asyncPitfalls';
export const FIX_ALL_COMMAND = 'asyncPitfalls.applyFixAll';

export interface SessionInfo {
  name: string;
  version: string;
}

export class Session {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly settingsCache = new Map<string, Promise<Settings>>();
  private globalSettings: Settings = { ...DEFAULT_SETTINGS };
  private canPullConfiguration = false;
  private canDynamicallyRegisterConfiguration = false;
  private supportsRelatedInformation = false;
  private supportsProgress = false;
  private supportsVersionedEdits = false;
  private canWatchFiles = false;
  private workspaceRoots: string[] = [];
  private readonly index: WorkspaceIndex;
  private readonly configs = new ConfigResolver();
  /** Rules whose crash was logged already. */
  private readonly failedRules = new Set<string>();
  /** pyproject.toml files with errors on screen, and what was shown. */
  private readonly configErrorsShown = new Map<string, string>();
  private readonly indexer: BackgroundIndexer;
  /** Other open documents are re-analyzed once typing pauses: an edit may change what they import. */
  private dependentsTimer: NodeJS.Timeout | undefined;
  /** Resolves when the background indexing started at `initialized` ends (tests and benchmarks wait on it). */
  indexing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly engine: Engine,
    private readonly info: SessionInfo,
  ) {
    // Body facts when first asked for: the background pass then parses only the skeleton of each
    // module, which on a 3,000-file workspace took indexing from 15 s to 4-5 s and the server's peak
    // from 190-200 MB to 133-141 MB. The analysis of an open file (on opening it, or after a pause)
    // reads the body facts of the modules it calls into, one parse each, kept until the module changes.
    this.index = engine.createWorkspaceIndex({ lazyDetails: true });
    this.indexer = new BackgroundIndexer(connection, this.index, () => this.supportsProgress);
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => {
      if (this.canDynamicallyRegisterConfiguration) {
        void c.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch(() => undefined);
      }
      if (this.canWatchFiles) {
        void c.client
          .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.py' }, { globPattern: '**/pyproject.toml' }] })
          .catch(() => undefined);
      }
      this.guard('indexing', () => this.startIndexing());
    });
    c.onDidChangeWatchedFiles((params) => this.guard('didChangeWatchedFiles', () => this.didChangeWatchedFiles(params)));
    c.onDidOpenTextDocument((params) => this.guard('didOpen', () => this.didOpen(params)));
    c.onDidChangeTextDocument((params) => this.guard('didChange', () => this.didChange(params)));
    c.onDidCloseTextDocument((params) => this.guard('didClose', () => this.didClose(params.textDocument.uri)));
    c.onDidChangeConfiguration((params) =>
      this.guard('didChangeConfiguration', () => {
        if (!this.canPullConfiguration) this.globalSettings = normalizeSettings(params.settings ?? {});
        this.settingsCache.clear();
        for (const uri of this.documents.keys()) this.schedule(uri);
      }),
    );
    c.onRequest(SETTLE_REQUEST, (params: { uri: string }) => this.guarded('settle', null, () => this.settle(params.uri)));
    c.onHover((params) => this.guarded('hover', null, () => this.hover(params)));
    c.onCodeAction((params) => this.guarded('codeAction', [], () => this.codeActions(params)));
    c.onExecuteCommand((params) => this.guarded('executeCommand', null, () => this.executeCommand(params)));
    c.onShutdown(() => {
      this.indexer.cancel();
      clearTimeout(this.dependentsTimer);
      for (const doc of this.documents.values()) {
        clearTimeout(doc.settleTimer);
        dropTyping(doc);
        doc.tree?.delete();
      }
      this.documents.clear();
    });
  }

  private initialize(params: InitializeParams): InitializeResult {
    const capabilities = params.capabilities;
    this.canPullConfiguration = !!capabilities.workspace?.configuration;
    this.canDynamicallyRegisterConfiguration = !!capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
    this.supportsRelatedInformation = !!capabilities.textDocument?.publishDiagnostics?.relatedInformation;
    this.supportsProgress = !!capabilities.window?.workDoneProgress;
    this.supportsVersionedEdits = !!capabilities.workspace?.workspaceEdit?.documentChanges;
    this.canWatchFiles = !!capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    this.globalSettings = normalizeSettings(params.initializationOptions ?? {});
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.workspaceRoots = folders.flatMap((uri) => {
      const file = filePathOf(uri);
      return file ? [file] : [];
    });
    for (const root of this.workspaceRoots) this.index.addRoot(root);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
      },
      serverInfo: { name: this.info.name, version: this.info.version },
    };
  }

  private guard(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private async guarded<T>(what: string, fallback: T, action: () => Promise<T> | T): Promise<T> {
    try {
      return await action();
    } catch (error) {
      this.connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  }

  /** Findings for the document's current text: the last analysis if it is current, else a fresh one. */
  private async currentFindings(uri: string): Promise<{ open: OpenDocument; findings: Finding[]; settings: Settings } | undefined> {
    const settings = await this.settingsFor(uri);
    const open = this.documents.get(uri);
    if (!open || !settings.enable) return undefined;
    if (open.findings?.version === open.document.version) return { open, findings: open.findings.items, settings };
    const text = open.document.getText();
    if (!checkText(text, settings.maxFileSizeMb * 1024 * 1024).ok) return undefined;
    const result = this.engine.analyzeText(text, this.optionsFor(uri, settings), this.linkFor(uri));
    result.tree.delete();
    return { open, findings: result.findings, settings };
  }

  private async hover(params: HoverParams): Promise<Hover | null> {
    const { uri } = params.textDocument;
    const current = await this.currentFindings(uri);
    if (!current) return null;
    const { open, findings, settings } = current;
    let markdown = findingHover(findings, params.position, settings.docsBaseUrl || undefined);
    if (!markdown && settings.vocabularyHovers) {
      const tree = open.tree && open.findings?.version === open.document.version && !open.editedFunction ? open.tree : undefined;
      if (tree) markdown = vocabularyHover(tree, params.position, settings.docsBaseUrl || undefined, pythonLineBreaks(open.document.getText()));
      else {
        const fresh = this.engine.parse(open.document.getText());
        try {
          markdown = vocabularyHover(fresh, params.position, settings.docsBaseUrl || undefined, pythonLineBreaks(open.document.getText()));
        } finally {
          fresh.delete();
        }
      }
    }
    return markdown ? { contents: { kind: MarkupKind.Markdown, value: markdown } } : null;
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const { uri } = params.textDocument;
    const current = await this.currentFindings(uri);
    if (!current) return [];
    const { open, findings, settings } = current;
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const finding of findings) {
        if (!overlaps(finding.range, params.range)) continue;
        const diagnostic =
          params.context.diagnostics.find((d) => d.code === finding.code && sameRange(d.range, finding.range)) ??
          toLspDiagnostic(finding, uri, { relatedInformation: false, docsBaseUrl: settings.docsBaseUrl });
        const preferred = finding.fixes.find((f) => f.safe);
        for (const fix of finding.fixes) {
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: fix === preferred,
            edit: this.versionedEdit(open, fix.edits),
          });
        }
      }
    }
    if (only && wants(FIX_ALL_KIND)) {
      const edit = this.fixAllEdit(open, settings);
      if (edit) actions.push({ title: 'Fix all auto-fixable async-pitfalls problems', kind: FIX_ALL_KIND, edit });
    }
    return actions;
  }

  private fixAllEdit(open: OpenDocument, settings: Settings): WorkspaceEdit | undefined {
    const text = open.document.getText();
    if (!checkText(text, settings.maxFileSizeMb * 1024 * 1024).ok) return undefined;
    const fixed = this.engine.fixAll(text, this.optionsFor(open.document.uri, settings), undefined, this.linkFor(open.document.uri));
    if (fixed.fixed === 0 || fixed.text === text) return undefined;
    const end = open.document.positionAt(text.length);
    return this.versionedEdit(open, [{ range: { start: { line: 0, character: 0 }, end }, newText: fixed.text }]);
  }

  /**
   * Edits tied to the document version they were computed for, so an editor refuses to apply a
   * fix to text that changed since (clients without `documentChanges` get plain edits).
   */
  private versionedEdit(open: OpenDocument, edits: TextEdit[]): WorkspaceEdit {
    const { uri, version } = open.document;
    if (!this.supportsVersionedEdits) return { changes: { [uri]: edits } };
    return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  }

  private async executeCommand(params: ExecuteCommandParams): Promise<unknown> {
    if (params.command !== FIX_ALL_COMMAND) return null;
    const uri = params.arguments?.[0];
    const open = typeof uri === 'string' ? this.documents.get(uri) : undefined;
    if (!open) return null;
    const edit = this.fixAllEdit(open, await this.settingsFor(open.document.uri));
    if (edit) await this.connection.workspace.applyEdit({ label: 'Fix all async-pitfalls problems', edit });
    return null;
  }

  private didOpen({ textDocument }: DidOpenTextDocumentParams): void {
    // Some clients send every buffer to every server; only Python is ours.
    if (textDocument.languageId !== 'python' && !/\.pyw?$/i.test(textDocument.uri)) return;
    const previous = this.documents.get(textDocument.uri);
    previous?.tree?.delete();
    this.documents.set(textDocument.uri, {
      document: TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text),
      tree: undefined,
      scheduled: false,
      changes: undefined,
    });
    this.setOverlay(textDocument.uri, textDocument.text);
    this.schedule(textDocument.uri);
  }

  /** What other files import from an open document is its editor text, not the file on disk. */
  private setOverlay(uri: string, text: string | undefined): void {
    const file = filePathOf(uri);
    if (file) this.index.setOverlay(file, text);
  }

  private startIndexing(): void {
    if (!this.globalSettings.indexWorkspace || this.workspaceRoots.length === 0) return;
    this.indexing = this.indexer.run(this.workspaceRoots).then(
      (result) => {
        if (!result.cancelled) this.scheduleAll();
      },
      (error: unknown) => this.connection.console.error(`indexing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
  }

  private didChangeWatchedFiles({ changes }: DidChangeWatchedFilesParams): void {
    let configChanged = false;
    for (const change of changes) {
      const file = filePathOf(change.uri);
      if (!file) continue;
      if (file.endsWith('pyproject.toml')) {
        configChanged = true;
        continue;
      }
      // An open document's editor text stays authoritative until it is closed.
      if (this.documents.has(change.uri) && change.type === FileChangeType.Changed) continue;
      this.index.invalidate(file, change.type !== FileChangeType.Changed);
    }
    if (configChanged) this.onConfigFilesChanged();
    this.scheduleAll();
  }

  /** A pyproject.toml changed on disk: read configurations again, and drop errors that are gone. */
  private onConfigFilesChanged(): void {
    this.configs.clear();
    for (const [file] of this.configErrorsShown) {
      const errors = readConfigErrors(file);
      this.showConfigErrors(file, errors);
    }
  }

  /** The editor's settings win over the project's pyproject.toml, which wins over the defaults. */
  private optionsFor(uri: string, settings: Settings): AnalyzeOptions {
    const file = filePathOf(uri);
    const run = analyzeOptionsOf(settings);
    return file ? optionsForFile(this.configs.resolve(file), file, run) : run;
  }

  private publishConfigErrors(config: ResolvedConfig): void {
    const byFile = new Map<string, ConfigError[]>();
    for (const error of config.errors) byFile.set(error.file, [...(byFile.get(error.file) ?? []), error]);
    for (const [file, errors] of byFile) this.showConfigErrors(file, errors);
  }

  /**
   * A rule that throws is a bug in that rule: its findings for the file are dropped (the engine does
   * that) and the error is logged once per rule, not on every keystroke.
   */
  private reportRuleError(uri: string, code: string, error: unknown): void {
    if (this.failedRules.has(code)) return;
    this.failedRules.add(code);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.connection.console.error(`rule ${code} failed on ${uri} and reports nothing there (logged once; please report it): ${detail}`);
  }

  /** Config errors as diagnostics on the pyproject.toml itself, sent only when they change. */
  private showConfigErrors(file: string, errors: ConfigError[]): void {
    const signature = JSON.stringify(errors);
    if ((this.configErrorsShown.get(file) ?? '[]') === signature) return;
    if (errors.length === 0) this.configErrorsShown.delete(file);
    else this.configErrorsShown.set(file, signature);
    for (const error of errors) this.connection.console.warn(formatConfigError(error));
    void this.connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics: errors.map(configErrorDiagnostic) });
  }

  private linkFor(uri: string): WorkspaceLink | undefined {
    const file = filePathOf(uri);
    return file ? this.index.linkFor(file) : undefined;
  }

  private scheduleAll(): void {
    for (const uri of this.documents.keys()) this.schedule(uri);
  }

  private scheduleDependents(changed: string): void {
    if (this.documents.size < 2) return;
    clearTimeout(this.dependentsTimer);
    this.dependentsTimer = setTimeout(() => {
      for (const uri of this.documents.keys()) if (uri !== changed) this.schedule(uri);
    }, 400);
  }

  private didChange({ textDocument, contentChanges }: DidChangeTextDocumentParams): void {
    const open = this.documents.get(textDocument.uri);
    if (!open) return;
    for (const change of contentChanges) {
      this.applyChange(open, change, textDocument.version);
    }
    this.setOverlay(textDocument.uri, open.document.getText());
    this.schedule(textDocument.uri);
    this.scheduleDependents(textDocument.uri);
  }

  /** Applies one change to the text and, for ranged changes, to the tree (so the next parse is incremental). */
  private applyChange(open: OpenDocument, change: TextDocumentContentChangeEvent, version: number): void {
    const before = open.document;
    if ('range' in change && open.tree) {
      const startIndex = before.offsetAt(change.range.start);
      const oldEndIndex = before.offsetAt(change.range.end);
      const start = before.positionAt(startIndex);
      const oldEnd = before.positionAt(oldEndIndex);
      const lines = change.text.split(/\r\n|\r|\n/);
      const newEnd =
        lines.length === 1
          ? { row: start.line, column: start.character + change.text.length }
          : { row: start.line + lines.length - 1, column: lines[lines.length - 1]!.length };
      const edit: TextChange = {
        startIndex,
        oldEndIndex,
        newEndIndex: startIndex + change.text.length,
        startPosition: { row: start.line, column: start.character },
        oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
        newEndPosition: newEnd,
        whitespaceOnly: /^\s*$/.test(change.text) && /^\s*$/.test(before.getText().slice(startIndex, oldEndIndex)),
      };
      // A model half built for the tree goes on from nodes read before this edit: finished first.
      this.finishPreparedTyping(open);
      open.tree.edit(new Edit(edit));
      open.changes?.push(edit);
    } else {
      dropTyping(open);
      open.tree?.delete();
      open.tree = undefined;
      open.editedFunction = undefined;
      open.changes = undefined;
    }
    open.document = TextDocument.update(before, [change], version);
  }

  private didClose(uri: string): void {
    const open = this.documents.get(uri);
    clearTimeout(open?.settleTimer);
    if (open) dropTyping(open);
    open?.tree?.delete();
    this.documents.delete(uri);
    this.settingsCache.delete(uri);
    this.setOverlay(uri, undefined);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Coalesces a burst of edits into one analysis, run as soon as the current messages are handled. */
  private schedule(uri: string, full = false): void {
    const open = this.documents.get(uri);
    if (!open || open.scheduled) return;
    open.scheduled = true;
    setImmediate(() => {
      open.scheduled = false;
      open.running = this.validate(uri, full).catch((error: unknown) => {
        this.connection.console.error(`analysis of ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      });
    });
  }

  /** Runs the full analysis due for `uri` now instead of when typing pauses (tests and benchmarks wait for it). */
  async settle(uri: string): Promise<number | null> {
    await new Promise((resolve) => setImmediate(resolve));
    const open = this.documents.get(uri);
    if (!open) return null;
    await open.running;
    if (open.settleTimer) {
      clearTimeout(open.settleTimer);
      open.settleTimer = undefined;
      open.running = this.validate(uri, true);
      await open.running;
    }
    return open.document.version;
  }

  private settingsFor(uri: string): Promise<Settings> {
    if (!this.canPullConfiguration) return Promise.resolve(this.globalSettings);
    let cached = this.settingsCache.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
        // A client that answers workspace/configuration without an `asyncPitfalls` section (null, or {})
        // was configured through initializationOptions, if at all: keep those (eglot answers null).
        .then((raw: unknown) => (isEmptySection(raw) ? this.globalSettings : normalizeSettings(raw)))
        .catch(() => this.globalSettings);
      this.settingsCache.set(uri, cached);
    }
    return cached;
  }

  private async validate(uri: string, full = false): Promise<void> {
    // The last keystroke's model is the next one's to carry over: taken here, then passed on to the
    // analysis or dropped.
    const open = this.documents.get(uri);
    // Not by the analysis that settles a pause: typing that resumes while it runs carries the model on.
    const taken: { typing?: TypingModel } = { typing: full ? undefined : open?.typing };
    if (open && !full) {
      open.typing = undefined;
      // One being prepared is of no use to this analysis (an edit finished it already).
      open.preparing = undefined;
    }
    try {
      await this.analyzeAndPublish(uri, full, taken);
    } finally {
      taken.typing?.dispose();
    }
  }

  private async analyzeAndPublish(uri: string, full: boolean, taken: { typing?: TypingModel }): Promise<void> {
    const settings = await this.settingsFor(uri);
    const open = this.documents.get(uri);
    if (!open) return;
    const { document } = open;
    const version = document.version;
    clearTimeout(open.settleTimer);
    open.settleTimer = undefined;
    // Whatever happens below, the next analysis starts from this text. The last analysis's
    // findings by function stay until a new result replaces them (or nothing was analyzed).
    const changes = open.changes;
    const chunked = open.chunked;
    const analyzedText = open.analyzedText;
    open.changes = [];
    open.analyzedText = document.getText();
    if (!settings.enable) {
      open.chunked = undefined;
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
      return;
    }
    const file = filePathOf(uri);
    const config = file ? this.configs.resolve(file) : undefined;
    if (config) this.publishConfigErrors(config);
    if (file && config && isExcluded(config, file)) {
      open.chunked = undefined;
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
      return;
    }
    const text = document.getText();
    const checked = checkText(text, settings.maxFileSizeMb * 1024 * 1024);
    if (!checked.ok) {
      open.tree?.delete();
      open.tree = undefined;
      open.editedFunction = undefined;
      open.chunked = undefined;
      this.connection.console.info(`${uri}: not analyzed: ${checked.reason}`);
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [skippedFileDiagnostic(checked.reason)] });
      return;
    }
    const timing = TIMINGS ? { started: performance.now(), parsed: 0, kind: 'full' } : undefined;
    const options = { ...this.optionsFor(uri, settings), timeLimitMs: settings.maxAnalysisSeconds * 1000 };
    const link = this.linkFor(uri);
    if (!full && settings.incrementalAnalysis && chunked && changes && changes.length > 0 && open.tree) {
      const step = analyzeWhileTyping(this.engine, open.tree, pythonLineBreaks(text), analyzedText, options, link, chunked, changes, open.editedFunction, taken.typing);
      taken.typing = undefined;
      open.typing = step.alone?.typing ?? step.typing;
      open.tree = step.tree;
      open.editedFunction = step.edited;
      const { alone, caughtUpMs } = step;
      const moved = step.textOnly ?? step.moduleLevel;
      if (moved) {
        // A comment or a docstring outside functions, or code outside functions parsed alone (see
        // `analyzeModuleLevelEdit`): the findings move, and the statements it analyzed are in the result.
        open.chunked = moved.state;
        open.settleTimer = setTimeout(() => this.schedule(uri, true), SETTLE_DELAY_MS);
        if (timing) {
          timing.parsed = timing.started;
          timing.kind = step.textOnly ? 'text only: a comment or docstring outside functions, nothing parsed or analyzed' : `module level: code outside functions parsed alone, ${moved.fresh.statements.length} statement spans analyzed, the other findings moved`;
        }
        await this.publish(uri, open, version, { ...moved, findings: clampToLines(pythonLineBreaks(text), moved.findings) }, settings, timing);
        return;
      }
      if (alone) {
        // The tree stays as it is, edited but not re-parsed: the next edit elsewhere, or the pause, re-parses it.
        open.chunked = alone.result.state;
        open.settleTimer = setTimeout(() => this.schedule(uri, true), SETTLE_DELAY_MS);
        if (timing) {
          const { model, rules, carry } = alone.result.phases;
          timing.parsed = timing.started + (caughtUpMs ?? 0) + alone.parseMs;
          const caughtUp = caughtUpMs === undefined ? '' : `after a catch-up parse of the whole file (${round(caughtUpMs)} ms), `;
          timing.kind = `function alone: ${caughtUp}${alone.reusedModel ? 'model carried over, ' : ''}${alone.result.analyzed} analyzed, ${alone.result.reused} reused, ${alone.result.built} built; parse ${round(alone.parseMs)}, model ${round(model)}, rules ${round(rules)}, carry ${round(carry)} ms`;
        }
        const findings = clampToLines(pythonLineBreaks(text), alone.result.findings);
        alone.dispose();
        await this.publish(uri, open, version, { ...alone.result, findings }, settings, timing);
        return;
      }
    }
    let tree: Tree;
    try {
      tree = this.engine.parse(text, open.tree);
      if (timing) timing.parsed = performance.now();
    } catch (error) {
      open.tree?.delete();
      open.tree = undefined;
      open.editedFunction = undefined;
      open.chunked = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [skippedFileDiagnostic(reason)] });
      return;
    }
    const previousTree = open.tree;
    // The analysis that settles a pause in typing leaves the stale tree, and what typing carries on
    // it, in place until it is done: typing that resumes meanwhile drops it and goes on from there.
    const settling = full && !!previousTree && settings.incrementalAnalysis;
    if (!settling) open.editedFunction = undefined;
    let result: AnalysisResult | undefined;
    if (!full && settings.incrementalAnalysis && chunked && changes && changes.length > 0 && previousTree) {
      const source = pythonLineBreaks(text);
      const changedRanges = previousTree.getChangedRanges(tree);
      const prepared = performance.now();
      // From the kept root, so that the next keystroke can carry the model over (`typingModelOf`).
      const incremental = analyzeIncrementally(tree, source, options, link, chunked, changes, changedRanges, undefined, keptRootOf(tree, []) ?? tree.rootNode);
      if (incremental) {
        open.typing = typingModelOf(incremental, tree, source);
        // Findings of the functions the edits did not touch were carried over; one may depend on an
        // edited function (a helper that now blocks). A full analysis settles that once typing pauses.
        open.chunked = incremental.state;
        open.settleTimer = setTimeout(() => this.schedule(uri, true), SETTLE_DELAY_MS);
        if (timing) {
          const { model, rules, carry } = incremental.phases;
          timing.kind = `incremental: ${incremental.analyzed} analyzed, ${incremental.reused} reused, ${incremental.built} built; prepare ${round(prepared - timing.parsed)}, model ${round(model)}, rules ${round(rules)}, carry ${round(carry)} ms`;
        }
        result = { ...incremental, findings: clampToLines(source, incremental.findings) };
      }
    }
    if (!settling) {
      previousTree?.delete();
      open.tree = tree;
    }
    if (!result && settings.incrementalAnalysis) {
      // A full analysis runs in slices: typing that resumes meanwhile is served at once, and the
      // stale work is dropped (the next pause starts it again).
      const steps = this.engine.analyzeInSlices(tree, text, options, link);
      try {
        let step = steps.next();
        while (!step.done) {
          await yieldToMessages();
          if (this.documents.get(uri) !== open || open.document.version !== version || open.tree !== (settling ? previousTree : tree)) {
            steps.return(undefined as never);
            if (settling) tree.delete();
            if (timing) this.connection.console.log(`dropped ${JSON.stringify({ version, kind: full ? 'settling analysis' : 'full analysis' })}`);
            return;
          }
          step = steps.next();
        }
        result = step.value;
      } catch (error) {
        // The settling analysis's own tree is nobody else's.
        if (settling) tree.delete();
        throw error;
      }
    }
    if (settling && result && open.typing && open.editedFunction && errorInside(tree.rootNode, open.editedFunction)) {
      // The file's first syntax error is in the function being typed (a bracket or a triple-quoted
      // string left open there, which swallows the code after it): its findings are published,
      // and typing goes on from the tree and the model the keystrokes before used, as after a dropped
      // settling analysis. Taking this tree instead would make the keystroke that closes it re-parse
      // all the code it swallowed (27-40 ms, 45-55 ms of parse, on 10,000 lines).
      tree.delete();
      await this.publish(uri, open, version, result, settings, timing);
      return;
    }
    if (settling) {
      dropTyping(open);
      open.editedFunction = undefined;
      previousTree.delete();
      open.tree = tree;
    }
    if (!result) result = this.engine.analyze(tree, text, options, link);
    const analyzedWhole = !('state' in result);
    if (analyzedWhole) open.chunked = result.chunks ? chunkedFindings(result, result.chunks) : undefined;
    await this.publish(uri, open, version, result, settings, timing);
    if (analyzedWhole && settings.incrementalAnalysis && open.chunked) this.prepareTyping(uri, open, tree, version, link);
  }

  /**
   * After a full analysis, once the editor is idle: the model the next keystroke will carry over, so
   * that the first keystroke of a burst does not build it. Dropped by whatever changes the tree first.
   */
  private prepareTyping(uri: string, open: OpenDocument, tree: Tree, version: number, link: WorkspaceLink | undefined): void {
    // An edit made while the analysis was being published: the tree is no longer as it was parsed.
    if (open.document.version !== version) return;
    const preparing = { tree, steps: idleTypingModel(tree, pythonLineBreaks(open.document.getText()), link, IDLE_SLICE_MS) };
    open.preparing = preparing;
    const slice = () => {
      if (open.preparing !== preparing) return;
      // Another tree (a whole-text change, a close) drops the model half built; an edit finishes it first (`applyChange`).
      if (this.documents.get(uri) !== open || open.tree !== tree || open.document.version !== version || open.typing) {
        open.preparing = undefined;
        return;
      }
      try {
        const step = preparing.steps.next();
        if (!step.done) {
          void yieldToMessages().then(slice);
          return;
        }
        open.typing = step.value;
      } catch (error) {
        this.connection.console.error(`preparing the model of ${uri} for typing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      open.preparing = undefined;
    };
    void yieldToMessages().then(slice);
  }

  /** The model for typing that `prepareTyping` is building, finished now (the tree is about to be edited). */
  private finishPreparedTyping(open: OpenDocument): void {
    const preparing = open.preparing;
    open.preparing = undefined;
    if (!preparing || preparing.tree !== open.tree || open.typing) return;
    try {
      open.typing = runToEnd(preparing.steps);
    } catch (error) {
      this.connection.console.error(`preparing the model for typing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private async publish(uri: string, open: OpenDocument, version: number, result: AnalysisResult, settings: Settings, timing: { started: number; parsed: number; kind: string } | undefined): Promise<void> {
    for (const e of result.ruleErrors) this.reportRuleError(uri, e.code, e.error);
    open.findings = { version, items: result.findings };
    const diagnostics = result.findings.map((f) =>
      toLspDiagnostic(f, uri, { relatedInformation: this.supportsRelatedInformation, docsBaseUrl: settings.docsBaseUrl }),
    );
    if (result.timedOut) {
      diagnostics.unshift(partialAnalysisDiagnostic(`the analysis stopped after ${settings.maxAnalysisSeconds} s (asyncPitfalls.maxAnalysisSeconds); findings further down may be missing`));
    }
    if (timing) {
      const parseMs = timing.parsed - timing.started;
      this.connection.console.log(`timing ${JSON.stringify({ version, parseMs: round(parseMs), analysisMs: round(performance.now() - timing.parsed), kind: timing.kind })}`);
    }
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
  }
}

/**
 * Whether the tree's first syntax error lies in `span` (the function being typed): then the error
 * is what typing there left open, not something elsewhere that would keep the file from parsing
 * however long the pause.
 */
function errorInside(root: Node, span: { start: number; end: number }): boolean {
  if (!root.hasError) return false;
  let node: Node = root;
  for (;;) {
    if (node.isError || node.isMissing) return span.start <= node.startIndex && node.startIndex <= span.end;
    const child = node.children.find((c) => c !== null && (c.hasError || c.isMissing));
    if (!child) return span.start <= node.startIndex && node.startIndex <= span.end;
    node = child;
  }
}

/** Frees the model carried from keystroke to keystroke (and the trees of the functions parsed alone it holds), when the document's tree goes. */
function dropTyping(open: OpenDocument): void {
  open.typing?.dispose();
  open.typing = undefined;
  open.preparing = undefined;
}

/** `ASYNC_PITFALLS_TIMINGS=1` logs the parse and analysis time of every analysis (the keystroke benchmark reads them). */
const TIMINGS = !!process.env.ASYNC_PITFALLS_TIMINGS;

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function isEmptySection(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0);
}

/** The local path of a `file:` URI (untitled and remote documents have none). */
function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Ranges touch (a cursor at either end of a finding counts). */
function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}
