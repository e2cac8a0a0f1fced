/**
 * Drives the real server through one random edit sequence and compares what it publishes with a
 * fresh analysis of the final text: incremental reparsing, the server's buffer and the
 * diagnostics pipeline must agree with the engine run from scratch.
 */
import * as assert from 'node:assert/strict';
import { CodeActionRequest, HoverRequest, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver-protocol/node';
import { checkText, type Engine } from '../../server/src/core/engine';
import { applyEdits } from '../../server/src/core/fix';
import type { Range } from '../../server/src/core/types';
import type { LspClient } from '../helpers/lsp-client';
import { applyEdit, positionAt, type EditSpec } from './edits';

export interface Sequence {
  fixture: string;
  edits: EditSpec[];
  /** Which edits are sent in the same didChange as the one before (editors batch multi-cursor edits). */
  batched: boolean[];
  /** Where to hover and ask for code actions afterwards, as fractions of the final text. */
  probes: number[];
}

function key(code: unknown, range: Range): string {
  return `${String(code ?? '-')} ${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

/** What the server should publish for `text`: the engine's findings, or the one "not analyzed" notice. */
function expectedKeys(engine: Engine, text: string): string[] {
  if (!checkText(text).ok) return [key(undefined, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })];
  const result = engine.analyzeText(text);
  result.tree.delete();
  return result.findings.map((f) => key(f.code, f.range)).sort();
}

/** Lines the server logged because a handler threw (the guards keep it alive, so only the log tells). */
export function handlerFailures(client: LspClient, since: number): string[] {
  return client.logs.slice(since).filter((l) => /\bfailed\b/.test(l));
}

export async function runSequence(client: LspClient, engine: Engine, uri: string, seq: Sequence): Promise<void> {
  const logMark = client.logs.length;
  let text = seq.fixture;
  let version = 1;
  await client.open(uri, text, version);
  let batch: ReturnType<typeof applyEdit>['change'][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await client.change(uri, ++version, batch);
    batch = [];
  };
  for (let i = 0; i < seq.edits.length; i++) {
    if (!seq.batched[i]) await flush();
    const applied = applyEdit(text, seq.edits[i]!);
    text = applied.text;
    batch.push(applied.change);
  }
  await flush();
  await client.diagnostics(uri, (p) => p.version === version, 0, 20_000);
  // Findings carried over by an incremental analysis are settled by a full one once typing pauses;
  // the settle request runs it now. The last publish for the version is then the settled one.
  assert.equal(await client.connection.sendRequest('asyncPitfalls/settle', { uri }), version);
  const published = [...client.published].reverse().find((p) => p.uri === uri && p.version === version)!;
  const got = published.diagnostics.map((d: Diagnostic) => key(d.code, d.range)).sort();
  assert.deepEqual(got, expectedKeys(engine, text), `diagnostics of the final text differ from a fresh analysis; final text: ${JSON.stringify(text)}`);

  for (const probe of seq.probes) {
    const position = positionAt(text, Math.floor(probe * (text.length + 1)));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    assert.ok(hover === null || typeof hover.contents === 'object', `hover answered ${JSON.stringify(hover)}`);
    const range = published.diagnostics[0]?.range ?? { start: position, end: position };
    for (const only of [undefined, ['source.fixAll.asyncPitfalls']]) {
      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range,
        context: { diagnostics: published.diagnostics, ...(only ? { only } : {}) },
      })) as CodeAction[] | null;
      assert.ok(Array.isArray(actions), `codeAction answered ${JSON.stringify(actions)}`);
      for (const action of actions) {
        const edits = (action.edit?.changes?.[uri] ?? []) as TextEdit[];
        assert.equal(typeof applyEdits(text, edits), 'string', `code action "${action.title}" has overlapping edits`);
      }
    }
  }
  assert.deepEqual(handlerFailures(client, logMark), [], 'the server logged a failing handler');
  await client.close(uri);
}
