/**
 * The language server's state and handlers: open documents with their syntax
 * trees (edited and reparsed incrementally), per-document settings pulled with
 * `workspace/configuration`, and diagnostics pushed right after each burst of
 * edits. Every handler is guarded: a failure is logged, never fatal.
 */
import { Edit, type Tree } from 'web-tree-sitter';
import {
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  type Connection,
  type DidChangeTextDocumentParams,
  type DidOpenTextDocumentParams,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkText, type Engine } from '../core/engine';
import { toLspDiagnostic, skippedFileDiagnostic } from './diagnostics';
import { analyzeOptionsOf, DEFAULT_SETTINGS, normalizeSettings, SETTINGS_SECTION, type Settings } from './settings';

interface OpenDocument {
  document: TextDocument;
  /** The last tree, already `edit`ed for changes made since it was parsed. */
  tree: Tree | undefined;
  scheduled: boolean;
}

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

  constructor(
    private readonly connection: Connection,
    private readonly engine: Engine,
    private readonly info: SessionInfo,
  ) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => {
      if (this.canDynamicallyRegisterConfiguration) {
        void c.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch(() => undefined);
      }
    });
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
    c.onShutdown(() => {
      for (const doc of this.documents.values()) doc.tree?.delete();
      this.documents.clear();
    });
  }

  private initialize(params: InitializeParams): InitializeResult {
    const capabilities = params.capabilities;
    this.canPullConfiguration = !!capabilities.workspace?.configuration;
    this.canDynamicallyRegisterConfiguration = !!capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
    this.supportsRelatedInformation = !!capabilities.textDocument?.publishDiagnostics?.relatedInformation;
    this.globalSettings = normalizeSettings(params.initializationOptions ?? {});
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
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

  private didOpen({ textDocument }: DidOpenTextDocumentParams): void {
    // Some clients send every buffer to every server; only Python is ours.
    if (textDocument.languageId !== 'python' && !/\.pyw?$/i.test(textDocument.uri)) return;
    const previous = this.documents.get(textDocument.uri);
    previous?.tree?.delete();
    this.documents.set(textDocument.uri, {
      document: TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text),
      tree: undefined,
      scheduled: false,
    });
    this.schedule(textDocument.uri);
  }

  private didChange({ textDocument, contentChanges }: DidChangeTextDocumentParams): void {
    const open = this.documents.get(textDocument.uri);
    if (!open) return;
    for (const change of contentChanges) {
      this.applyChange(open, change, textDocument.version);
    }
    this.schedule(textDocument.uri);
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
      open.tree.edit(new Edit({
        startIndex,
        oldEndIndex,
        newEndIndex: startIndex + change.text.length,
        startPosition: { row: start.line, column: start.character },
        oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
        newEndPosition: newEnd,
      }));
    } else if (!('range' in change)) {
      open.tree?.delete();
      open.tree = undefined;
    }
    open.document = TextDocument.update(before, [change], version);
  }

  private didClose(uri: string): void {
    const open = this.documents.get(uri);
    open?.tree?.delete();
    this.documents.delete(uri);
    this.settingsCache.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Coalesces a burst of edits into one analysis, run as soon as the current messages are handled. */
  private schedule(uri: string): void {
    const open = this.documents.get(uri);
    if (!open || open.scheduled) return;
    open.scheduled = true;
    setImmediate(() => {
      open.scheduled = false;
      void this.validate(uri).catch((error: unknown) => {
        this.connection.console.error(`analysis of ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      });
    });
  }

  private settingsFor(uri: string): Promise<Settings> {
    if (!this.canPullConfiguration) return Promise.resolve(this.globalSettings);
    let cached = this.settingsCache.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
        .then((raw: unknown) => normalizeSettings(raw ?? {}))
        .catch(() => this.globalSettings);
      this.settingsCache.set(uri, cached);
    }
    return cached;
  }

  private async validate(uri: string): Promise<void> {
    const settings = await this.settingsFor(uri);
    const open = this.documents.get(uri);
    if (!open) return;
    const { document } = open;
    const version = document.version;
    if (!settings.enable) {
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
      return;
    }
    const text = document.getText();
    const checked = checkText(text, settings.maxFileSizeMb * 1024 * 1024);
    if (!checked.ok) {
      open.tree?.delete();
      open.tree = undefined;
      this.connection.console.info(`${uri}: not analyzed: ${checked.reason}`);
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [skippedFileDiagnostic(checked.reason)] });
      return;
    }
    let tree: Tree;
    try {
      tree = this.engine.parse(text, open.tree);
    } catch (error) {
      open.tree?.delete();
      open.tree = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [skippedFileDiagnostic(reason)] });
      return;
    }
    open.tree?.delete();
    open.tree = tree;
    const result = this.engine.analyze(tree, text, analyzeOptionsOf(settings));
    for (const e of result.ruleErrors) {
      this.connection.console.error(`${uri}: rule ${e.code} failed: ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`);
    }
    const diagnostics = result.findings.map((f) =>
      toLspDiagnostic(f, uri, { relatedInformation: this.supportsRelatedInformation, docsBaseUrl: settings.docsBaseUrl }),
    );
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
  }
}
