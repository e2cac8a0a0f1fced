/**
 * The stdio transport's message writer. vscode-jsonrpc's stream writer queues each message behind a
 * lock that it releases with `setImmediate`, so a message waits for whatever the event loop runs
 * first: after a keystroke's analysis that is often the garbage collector's marking task, queued by
 * the analysis (5-7 ms of the keystroke latency at the 90th percentile on a 10,000-line file, the
 * time between the diagnostics being ready and being written). This writer hands each message to
 * the stream at once, its header and body in one write: a Node stream keeps writes in order, so no
 * lock is needed. (The VS Code extension talks over node IPC, whose writer sends at once already.)
 */
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';

export class DirectStreamWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    stream.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    try {
      const body = Buffer.from(serialize(message), 'utf8');
      const header = Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii');
      this.stream.write(Buffer.concat([header, body]), (error?: Error | null) => {
        if (error) this.failed(error, message);
        else this.errorCount = 0;
      });
      return Promise.resolve();
    } catch (error) {
      this.failed(error, message);
      return Promise.reject(error);
    }
  }

  end(): void {
    this.stream.end();
  }

  private failed(error: unknown, message: Message): void {
    this.errorCount++;
    this.fireError(error, message, this.errorCount);
  }
}

/**
 * Each diagnostic's JSON, by the object: the server publishes every diagnostic of a file at every
 * keystroke, and a file with a thousand findings made 860 KB of JSON each time (4 ms to stringify
 * on the 2-core machine), though typing changes only the few findings of the line typed on. The
 * session hands the same diagnostic object for a finding that did not change (see
 * `toLspDiagnostic`), and a diagnostic is never changed once published.
 */
const diagnosticJson = new WeakMap<object, string>();

/** The message's JSON: that of `JSON.stringify`, with the diagnostics of a publish taken from their cache. */
export function serialize(message: Message): string {
  const params = (message as { method?: string; params?: { diagnostics?: unknown } }).params;
  if ((message as { method?: string }).method !== 'textDocument/publishDiagnostics' || !params || !Array.isArray(params.diagnostics)) return JSON.stringify(message);
  const diagnostics = params.diagnostics as unknown[];
  if (!diagnostics.every((d): d is object => typeof d === 'object' && d !== null)) return JSON.stringify(message);
  const outline = JSON.stringify({ ...message, params: { ...params, diagnostics: [] } });
  // The empty list, last of its name in the text: a string value cannot hold it with its quotes unescaped.
  const at = outline.lastIndexOf('"diagnostics":[]');
  if (at < 0) return JSON.stringify(message);
  const parts = diagnostics.map((diagnostic) => {
    let json = diagnosticJson.get(diagnostic);
    if (json === undefined) diagnosticJson.set(diagnostic, (json = JSON.stringify(diagnostic)));
    return json;
  });
  const open = at + '"diagnostics":['.length;
  return `${outline.slice(0, open)}${parts.join(',')}${outline.slice(open)}`;
}
