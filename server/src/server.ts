/**
 * `async-pitfalls-lsp`: the language server. Any LSP client can start it with
 * `async-pitfalls-lsp --stdio`; the VS Code extension starts it over node IPC.
 */
import { inspect } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { packageVersion, parserLocation } from './assets';
import { Engine } from './core/engine';
import { DirectStreamWriter } from './lsp/direct-writer';
import { Session } from './lsp/session';

const TRANSPORTS = ['--stdio', '--node-ipc', '--socket', '--pipe', '--clientProcessId'];

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--version') || args.includes('-v')) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: async-pitfalls-lsp [--stdio | --node-ipc | --socket=PORT]\nThe async-pitfalls language server (stdio by default).\n');
    return;
  }
  // vscode-languageserver picks the other transports from argv; stdio is the default every editor expects.
  const stdio = args.includes('--stdio') || !args.some((a) => TRANSPORTS.some((t) => a.startsWith(t)));
  // Over stdio: the input stream as vscode-languageserver reads it (it exits when the client goes
  // away), and our writer (see DirectStreamWriter), which vscode-jsonrpc takes as it is, not being a stream.
  const connection = stdio
    ? createConnection(ProposedFeatures.all, process.stdin, new DirectStreamWriter(process.stdout) as unknown as NodeJS.WritableStream)
    : createConnection(ProposedFeatures.all);
  // Nothing may reach stdout but protocol messages: route stray console output to the client log.
  console.log = (...items: unknown[]) => connection.console.log(items.map(String).join(' '));
  console.info = console.log;
  console.warn = (...items: unknown[]) => connection.console.warn(items.map(String).join(' '));
  console.error = (...items: unknown[]) => connection.console.error(items.map(String).join(' '));
  // `console.dir` and `dirxml` write to stdout directly (the others go through `log` and `warn`);
  // vscode-languageserver patched them when it opened stdio itself, which it no longer does here.
  console.dir = (item: unknown) => connection.console.log(inspect(item));
  console.dirxml = console.log;
  process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));

  // Messages that arrive while the grammar loads wait in the input stream until listen().
  Engine.create(parserLocation()).then(
    (engine) => {
      new Session(connection, engine, { name: 'async-pitfalls', version: packageVersion() }).listen();
      connection.listen();
    },
    (error: unknown) => {
      process.stderr.write(`async-pitfalls-lsp: cannot load the Python grammar: ${String(error)}\n`);
      process.exit(1);
    },
  );
}

main();
