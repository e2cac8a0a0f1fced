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
      const body = Buffer.from(JSON.stringify(message), 'utf8');
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
