/**
 * A minimal LSP client for tests: spawns the bundled server over stdio and
 * speaks JSON-RPC to it like an editor would, answering the server's
 * `workspace/configuration` requests from a settable object.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import {
  ApplyWorkspaceEditRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT } from './engine';

export const SERVER = path.join(REPO_ROOT, 'dist', 'server.js');

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcessWithoutNullStreams;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  settings: unknown = {};
  readonly appliedEdits: unknown[] = [];
  /** Methods the server registered dynamically. */
  readonly registrations: string[] = [];
  configurationRequests = 0;
  /** `$/progress` payloads (work-done progress begin/report/end), in order. */
  readonly progress: Array<{ kind: string; title?: string; message?: string; percentage?: number }> = [];
  private waiters: Array<() => void> = [];

  constructor(args: string[] = ['--stdio'], server = SERVER) {
    this.process = spawn(process.execPath, [...(process.env.LSP_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), server, ...args], { stdio: 'pipe' });
    this.process.stderr.on('data', (d: Buffer) => this.logs.push(d.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests++;
      return params.items.map(() => this.settings);
    });
    this.connection.onRequest(RegistrationRequest.type, (params) => {
      this.registrations.push(...params.registrations.map((r) => r.method));
      return undefined;
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('$/progress', (p: { value: { kind: string } }) => {
      this.progress.push(p.value);
    });
    this.connection.onRequest(ApplyWorkspaceEditRequest.type, (params) => {
      this.appliedEdits.push(params.edit);
      return { applied: true };
    });
    this.connection.listen();
  }

  async initialize(capabilities: ClientCapabilities = DEFAULT_CAPABILITIES, initializationOptions?: unknown, rootUri: string | null = null): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      capabilities,
      initializationOptions,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'workspace' }] : null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  filesChanged(changes: Array<{ uri: string; type: 1 | 2 | 3 }>): Promise<void> {
    return this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  configurationChanged(settings: unknown = null): Promise<void> {
    return this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  /** The next diagnostics published for `uri` that satisfy `accept` (searching those already received after `since`). */
  async diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, since = 0, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.published.slice(since).reverse().find((p) => p.uri === uri && accept(p));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri}; got ${JSON.stringify(this.published.filter((p) => p.uri === uri).slice(-3))}\nserver log:\n${this.logs.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.on('exit', (code) => resolve(code)));
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
  textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, versionSupport: true } },
};
