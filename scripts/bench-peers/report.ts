/** Turns the measurements into the markdown table and ratios that go into docs/performance.md. */
import type { CorpusStats } from './corpus';
import type { Measured } from './measure';

export interface Row {
  key?: string;
  tool: string;
  m?: Measured;
  /** In-process time of the work loop, when the child reports it (parse, Ruff): excludes startup. */
  workSeconds?: number;
  /** Files the tool itself says it processed, when it says so. */
  files?: number;
  peakRssKb?: number;
  findings?: number;
  note?: string;
  error?: string;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function wall(row: Row | undefined): number | undefined {
  return row && !row.error ? row.m?.wallSeconds : undefined;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
}

export function formatReport(input: { corpus: CorpusStats; cores: number; rows: Row[]; node: string; loadavg: number[] }): string {
  const { corpus, cores, rows } = input;
  const out: string[] = [];
  out.push(`Corpus: ${fmt(corpus.files.length)} files, ${(corpus.bytes / 1e6).toFixed(1)} MB, ${fmt(corpus.lines)} lines` +
    (corpus.skipped ? ` (${corpus.skipped} more skipped as our CLI skips them)` : '') +
    `; ${cores} cores, Node ${input.node}; load average at the end ${input.loadavg.map((l) => l.toFixed(2)).join(' ')}.`);
  out.push('');
  out.push('| Tool | Wall s (process) | Timed s | Files/s | Lines/s | MB/s | Peak RSS | Findings |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    if (row.error || !row.m) {
      out.push(`| ${row.tool} | ${row.error ?? 'not run'} | | | | | | |`);
      continue;
    }
    // Rates use the work loop when the child timed it (the floor and Ruff), else the process wall time.
    const seconds = row.workSeconds ?? row.m.wallSeconds;
    const files = row.files ?? corpus.files.length;
    const rss = row.m.peakRssKb ?? row.peakRssKb;
    out.push(`| ${row.tool} | ${row.m.wallSeconds.toFixed(1)} | ${seconds.toFixed(1)} | ${fmt(files / seconds)} | ${fmt(corpus.lines / seconds)} | ${(corpus.bytes / 1e6 / seconds).toFixed(2)} | ${rss ? `${fmt(rss / 1024)} MB` : 'n/a'} | ${row.findings ?? ''} |`);
  }
  out.push('');
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const parse = byKey.get('parse');
  const parseWork = parse && !parse.error ? parse.workSeconds : undefined;
  const ruff = byKey.get('ruff');
  out.push('Ratios (our CLI wall time, a cold process, against):');
  out.push('');
  out.push('| Our run | / bare parse (1 thread, timed) | / bare parse per core | / Ruff WASM (process wall) |');
  out.push('|---|---:|---:|---:|');
  for (const key of ['ours-noimports-j1', 'ours-noimports', 'ours', 'ours-first']) {
    const row = byKey.get(key);
    if (!row) continue;
    const ours = wall(row);
    // With N workers the floor is the single-thread parse divided by N (parsing is embarrassingly parallel).
    const workers = key === 'ours-noimports-j1' ? 1 : cores;
    out.push(`| ${row.tool} | ${ratio(ours, parseWork)} | ${ratio(ours, parseWork !== undefined ? parseWork / workers : undefined)} | ${ratio(ours, wall(ruff))} |`);
  }
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.tool}: ${r.note}`);
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}
