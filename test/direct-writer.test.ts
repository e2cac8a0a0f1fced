import * as assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import { DirectStreamWriter } from '../server/src/lsp/direct-writer';

describe('stdio message writer', () => {
  it('hands each message to the stream before returning, not after the event loop turns', () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const writer = new DirectStreamWriter(stream);
    void writer.write({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [] } } as Message);
    // Nothing has run since: no setImmediate, no promise callback.
    assert.equal(chunks.length, 1);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [] } });
    assert.equal(text, `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  it('frames messages so that a protocol reader gets them back in order, multi-byte text included', async () => {
    const pipe = new PassThrough();
    const writer = new DirectStreamWriter(pipe);
    const sent = [1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, result: { text: `é ${'ß'.repeat(id * 1000)} 🐍`, id } }) as Message);
    const received: Message[] = [];
    const reader = new StreamMessageReader(pipe);
    const all = new Promise<void>((resolve) =>
      reader.listen((message) => {
        received.push(message);
        if (received.length === sent.length) resolve();
      }),
    );
    for (const message of sent) await writer.write(message);
    await all;
    assert.deepEqual(received, sent);
    reader.dispose();
  });
});
