import * as fs from 'node:fs';
import { Engine } from '/work/main/server/src/core/engine';
import { FileChecker } from '/work/main/server/src/cli/check-file';
import { collectPythonFiles } from '/work/main/server/src/workspace/files';
import { WorkspaceIndex } from '/work/main/server/src/workspace/index';
async function main() {
  const engine = await Engine.create({ grammarDir: '/work/main/grammars' });
  const P: any = WorkspaceIndex.prototype;
  let reason: string | undefined; let depth = 0;
  for (const m of ['findFunction', 'isClass', 'classify']) {
    const orig = P[m];
    P[m] = function (this: any, name: string, ...rest: any[]) {
      const outer = depth === 0; if (outer) reason = `${m} ${name}`; depth++;
      try { return orig.call(this, name, ...rest); } finally { depth--; if (outer) reason = undefined; }
    };
  }
  const order: Record<string, number> = { after: 0, before: 0, never: 0 }; process.on('exit', () => console.log('summary asked relative to analysis', order));
  const sumOrig = P.summaryOfFile; const why: Record<string, string> = {};
  P.summaryOfFile = function (this: any, file: string, ...rest: any[]) {
    if (!this.entries.has(require('path').resolve(file)) && !why[file]) { why[file] = `${reason ?? 'none'} <- ${cur}`; order[analyzed.has(file) ? 'after' : (willAnalyze.has(file) ? 'before' : 'never')]++; }
    return sumOrig.call(this, file, ...rest);
  };
  const checker = new FileChecker(engine, { maxBytes: 5 << 20, timeLimitSeconds: 10, mode: 'check', noImports: false, roots: ['/tmp/corpus'], cwd: '/tmp', trackDependencies: false });
  let cur = '';
  const idx: any = (checker as any).index; const st: any = { sum: [0, 0, 0, 0], det: [0, 0, 0, 0] };
  const phase: string[] = ['main']; const pb: Record<string, number[]> = {}; const parser = (engine as any).parser; const po = parser.parse.bind(parser); parser.parse = (t: any, o: any, r: any) => { const k = phase[phase.length-1] + (idx.inProgress.length && analyzedLater(idx.inProgress[idx.inProgress.length-1]) ? '+an' : ''); const s = performance.now(); const out = po(t, o, r); const e = (pb[k] ??= [0, 0, 0]); e[0] += performance.now() - s; e[1] += typeof t === 'string' ? t.length : 0; e[2]++; return out; }; process.on('exit', () => console.log('parse by phase', pb));
  const s0 = idx.summarizer; idx.summarizer = (text: string, loc: any, uri: string, ...r: any[]) => { const f = decodeURIComponent(uri.replace('file://', '')); const t = performance.now(); phase.push('sum'); let out; try { out = s0(text, loc, uri, ...r); } finally { phase.pop(); } const k = analyzedLater(f) ? 2 : 0; st.sum[k] += performance.now() - t; st.sum[k + 1] += text.length; return out; };
  const d0 = idx.detailer; idx.detailer = (text: string, loc: any, link: any) => { const t = performance.now(); phase.push('det'); let out; try { out = d0(text, loc, link); } finally { phase.pop(); } const f0 = idx.inProgress[idx.inProgress.length-1]; const k = idx.inProgress.length && analyzedLater(f0) ? 2 : 0; detOrder[analyzed.has(f0) ? 'after' : (willAnalyze.has(f0) ? 'before' : 'never')]++; st.det[k] += performance.now() - t; st.det[k + 1] += text.length; return out; };
  const detOrder: Record<string, number> = { after: 0, before: 0, never: 0 }; process.on('exit', () => console.log('details asked relative to analysis', detOrder));
  const willAnalyze = new Set<string>(); const analyzedLater = (f: string) => willAnalyze.has(f);
  process.on('exit', () => console.log('summaries [ms, bytes, ms(analyzed too), bytes]', st.sum.map((x: number) => Math.round(x)), 'details [ms, bytes]', st.det.map((x: number) => Math.round(x))));
  const analyzed = new Set<string>();
  const a0 = engine.analyzeFile.bind(engine);
  (engine as any).analyzeFile = (text: string, o: any, w: any) => { const r = a0(text, o, w); if (r.parsed) analyzed.add(cur); return r; };
  if (fs.existsSync('/tmp/exp/analyzed.txt')) for (const l of fs.readFileSync('/tmp/exp/analyzed.txt', 'utf8').split('\n')) willAnalyze.add(l);
  for (const file of collectPythonFiles(['/tmp/corpus'])) { cur = file; checker.check(file, {}); }
  const rows = Object.entries(why).map(([f, w]) => ({ f, w, analyzed: analyzed.has(f) }));
  fs.writeFileSync('/tmp/exp/analyzed.txt', [...analyzed].join('\n'));
  fs.writeFileSync('/tmp/exp/sum-why.json', JSON.stringify(rows, null, 1));
  const byKind: Record<string, number> = {};
  for (const r of rows) { const k = r.w.split(' ')[0] + (r.analyzed ? ' (analyzed)' : ''); byKind[k] = (byKind[k] ?? 0) + 1; }
  console.log(rows.length, byKind);
}
void main();
