/**
 * The VS Code client: starts the bundled language server for Python files
 * (saved and untitled), and offers "Restart server", "Show output" and "Fix all".
 */
import * as path from 'node:path';
import { commands, Hover, MarkdownString, Uri, window, workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { RestartPolicy } from './restart-policy';

let client: LanguageClient | undefined;
let output: LogOutputChannel | undefined;
const restarts = new RestartPolicy();

/** Restarts a crashed server with backoff and says so once, instead of the client's default five quick tries. */
const errorHandler: ErrorHandler = {
  error: () => ({ action: ErrorAction.Continue, handled: true }),
  closed: async (): Promise<CloseHandlerResult> => {
    const decision = restarts.onCrash();
    output?.error(decision.restart ? `The server stopped; restarting in ${decision.delayMs / 1000} s` : 'The server keeps stopping; not restarting it');
    if (decision.notify === 'gave-up') {
      void window.showErrorMessage('async-pitfalls: the language server keeps crashing and was stopped. See the output for details; "async-pitfalls: Restart server" tries again.', 'Show output').then((choice) => {
        if (choice) output?.show(true);
      });
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    if (decision.notify === 'restarted') {
      void window.showWarningMessage('async-pitfalls: the language server stopped unexpectedly and is being restarted. Details are in the output.');
    }
    await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    return { action: CloseAction.Restart, handled: true };
  },
};

export async function activate(context: ExtensionContext): Promise<void> {
  output = window.createOutputChannel('async-pitfalls', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ],
    outputChannel: output,
    errorHandler,
    synchronize: { configurationSection: 'asyncPitfalls' },
    // Server-wide settings, read once at startup (per-file ones are pulled with workspace/configuration).
    initializationOptions: { indexWorkspace: workspace.getConfiguration('asyncPitfalls').get<boolean>('indexWorkspace', true) },
    middleware: {
      // Same for the rule-page link on each diagnostic's code.
      handleDiagnostics: (uri, diagnostics, next) => {
        for (const d of diagnostics) {
          if (typeof d.code === 'object' && d.code.target.scheme === 'file' && d.code.target.path.endsWith('.md')) {
            d.code = { value: d.code.value, target: Uri.parse(openNoteLink(d.code.target.toString()), true) };
          }
        }
        next(uri, diagnostics);
      },
      // The server links notes as file URIs (right for every editor); in VS Code they open as a markdown preview.
      provideHover: async (document, position, token, next) => {
        const hover = await next(document, position, token);
        if (!hover) return hover;
        return new Hover(hover.contents.map((c) => (c instanceof MarkdownString ? previewLinks(c) : c)), hover.range);
      },
    },
  };
  client = new LanguageClient('asyncPitfalls', 'async-pitfalls', serverOptions, clientOptions);

  context.subscriptions.push(
    commands.registerCommand('asyncPitfalls.restartServer', async () => {
      if (!client) return;
      output?.info('Restarting the async-pitfalls server');
      restarts.reset();
      await client.restart();
    }),
    commands.registerCommand('asyncPitfalls.showOutput', () => output?.show(true)),
    commands.registerCommand(OPEN_NOTE, (link: string) => commands.executeCommand('markdown.showPreview', Uri.parse(link))),
    commands.registerCommand('asyncPitfalls.fixAll', async () => {
      const document = window.activeTextEditor?.document;
      if (!client || !document || document.languageId !== 'python') return;
      // The server applies the edit through workspace/applyEdit.
      await client.sendRequest(ExecuteCommandRequest.type, { command: 'asyncPitfalls.applyFixAll', arguments: [document.uri.toString()] });
    }),
  );
  await client.start();
}

const OPEN_NOTE = 'asyncPitfalls.openNote';

function openNoteLink(link: string): string {
  return `command:${OPEN_NOTE}?${encodeURIComponent(JSON.stringify([link]))}`;
}

function previewLinks(markdown: MarkdownString): MarkdownString {
  const value = markdown.value.replace(/\]\((file:[^)\s]+\.md)\)/g, (_match, link: string) => `](${openNoteLink(link)})`);
  const result = new MarkdownString(value);
  result.isTrusted = { enabledCommands: [OPEN_NOTE] };
  return result;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
