/**
 * Benchmarks (not tests): `npm run bench [-- CORPUS_DIR]`.
 *  1. Engine throughput: parse + analyze every .py file of a corpus (default: the examples and
 *     fixtures repeated; pass the folder made by ../shared/corpus/make-corpus.sh for real code).
 *  2. Keystroke latency: the real server over stdio, files of ~300 and ~2,000 lines, 200 single-character
 *     incremental edits; time from sending didChange to receiving its publishDiagnostics.
 * Results go to stdout; docs/performance.md records them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectPythonFiles } from '../server/src/workspace/files';
import { decodeSource } from '../server/src/core/engine';
import { LspClient } from '../test/helpers/lsp-client';
import { REPO_ROOT, testEngine } from '../test/helpers/engine';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function throughput(corpus: string | undefined): Promise<void> {
  const engine = await testEngine();
  const files = corpus
    ? [...collectPythonFiles([corpus])]
    : [...collectPythonFiles([path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test/fixtures')])];
  const sources: string[] = [];
  for (const f of files) {
    const decoded = decodeSource(fs.readFileSync(f));
    if (decoded.ok) sources.push(decoded.text);
  }
  const rounds = corpus ? 1 : 20;
  let lines = 0;
  let findings = 0;
  let slowest = { ms: 0, lines: 0 };
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const text of sources) {
      const t0 = process.hrtime.bigint();
      const result = engine.analyzeText(text);
      result.tree.delete();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const n = text.split('\n').length;
      if (ms > slowest.ms) slowest = { ms, lines: n };
      lines += n;
      findings += result.findings.length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`engine: ${sources.length} files x ${rounds}, ${lines.toLocaleString('en')} lines in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en')} lines/s; ${findings} findings; slowest file ${slowest.ms.toFixed(1)} ms (${slowest.lines} lines)`);
}

/** About `targetLines` lines made of copies of one example file, with its functions renamed apart. */
function bigFile(example: string, targetLines: number): string {
  const unit = fs.readFileSync(path.join(REPO_ROOT, 'examples', example), 'utf8');
  let text = '';
  while (text.split('\n').length < targetLines) text += unit.replace(/def (\w+)/g, (_m, n: string) => `def ${n}_${text.length}`);
  return text;
}

async function keystrokeLatency(example: string, targetLines: number): Promise<void> {
  const text = bigFile(example, targetLines);
  const client = new LspClient();
  await client.initialize();
  const uri = 'file:///bench/big.py';
  await client.open(uri, text);
  const first = await client.diagnostics(uri);
  const lines = text.split('\n');
  const line = lines.length - 3;
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const version = i + 2;
    const mark = client.published.length;
    const t0 = process.hrtime.bigint();
    await client.change(uri, version, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: i % 2 ? '#' : ' ' }]);
    await client.diagnostics(uri, (p) => p.version === version, mark);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await client.shutdown();
  latencies.sort((a, b) => a - b);
  console.log(`keystroke (${example} x ${Math.round(lines.length / fs.readFileSync(path.join(REPO_ROOT, 'examples', example), 'utf8').split('\n').length)}): ${lines.length}-line file, ${first.diagnostics.length} findings, 200 edits: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms (didChange sent -> diagnostics received)`);
}

(async () => {
  await throughput(process.argv[2]);
  await keystrokeLatency('clean_service.py', 300);
  await keystrokeLatency('clean_service.py', 2000);
  await keystrokeLatency('blocking_calls.py', 2000);
})();
