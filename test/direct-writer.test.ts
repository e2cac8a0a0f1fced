import * as assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import type { Finding } from '../server/src/core/types';
import { toLspDiagnostic } from '../server/src/lsp/diagnostics';
import { DirectStreamWriter, serialize } from '../server/src/lsp/direct-writer';

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

  it('writes a publish of diagnostics as JSON.stringify would, each diagnostic turned into JSON once', () => {
    const range = (line: number) => ({ start: { line, character: 4 }, end: { line, character: 9 } });
    const first = { range: range(3), severity: 2, code: 'AIO101', message: 'blocks "the loop"', data: { name: 'x' } };
    const second = { range: range(7), severity: 2, code: 'AIO102', message: 'é 🐍 \\ \n' };
    const publish = (uri: string, diagnostics: unknown[]) => ({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version: 4, diagnostics } }) as Message;
    for (const uri of ['file:///a.py', 'file:///"diagnostics":[]/b.py']) {
      for (const message of [publish(uri, [first, second]), publish(uri, []), publish(uri, [second]), publish(uri, [first, second])]) {
        assert.equal(serialize(message), JSON.stringify(message));
      }
    }
    // Published objects are never changed: the JSON made the first time is what is written again.
    const before = serialize(publish('file:///a.py', [first]));
    first.message = 'changed';
    assert.equal(serialize(publish('file:///a.py', [first])), before);
    // Other messages, and lists that hold something else than objects, are left to JSON.stringify.
    const other = { jsonrpc: '2.0', id: 1, result: { diagnostics: [first] } } as Message;
    assert.equal(serialize(other), JSON.stringify(other));
    const odd = publish('file:///a.py', [null, 1]);
    assert.equal(serialize(odd), JSON.stringify(odd));
  });

  it('publishes an unchanged finding as the same diagnostic object, a new one for other options', () => {
    const finding = {
      code: 'AIO101', name: 'blocking-sleep', category: 'blocking-call', severity: 'warning', message: 'm',
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }, related: [], fixes: [],
    } as unknown as Finding;
    const options = { relatedInformation: true };
    const diagnostic = toLspDiagnostic(finding, 'file:///a.py', options);
    assert.equal(toLspDiagnostic(finding, 'file:///a.py', { relatedInformation: true }), diagnostic);
    assert.notEqual(toLspDiagnostic(finding, 'file:///b.py', options), diagnostic);
    assert.notEqual(toLspDiagnostic(finding, 'file:///b.py', { relatedInformation: true, docsBaseUrl: 'https://example.org/rules' }).codeDescription, diagnostic.codeDescription);
    assert.deepEqual(toLspDiagnostic({ ...finding }, 'file:///a.py', options), diagnostic);
  });
});
