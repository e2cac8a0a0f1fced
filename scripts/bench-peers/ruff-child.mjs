// Child process: Ruff's WebAssembly build on every file in a list, one Workspace, check(text) per file.
// Plain .mjs run by plain node (no tsx) so its cold start is what a user of the wasm package pays.
// Prints one JSON line: { version, workSeconds, files, findings, syntaxErrors, byCode, maxRssKb }.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const [listFile, peers] = process.argv.slice(2);
if (!listFile || !peers) throw new Error('usage: ruff-child.mjs FILE_LIST PEERS_NODE_MODULES');
const require = createRequire(path.join(path.resolve(peers), 'noop.js'));
const ruff = require('@astral-sh/ruff-wasm-nodejs');

// RUF029 (unused-async) is a preview rule: without preview it is silently not selected.
const settings = { preview: true, lint: { select: ['ASYNC', 'RUF006', 'RUF029', 'PLE1142'] } };
const started = process.hrtime.bigint();
const workspace = new ruff.Workspace(settings, ruff.PositionEncoding.Utf16);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const byCode = {};
let files = 0;
let findings = 0;
// Ruff reports files it cannot parse (Python 2, newer syntax) as `invalid-syntax`; those are not
// async findings, so they are counted apart.
let syntaxErrors = 0;
for (const file of fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean)) {
  let text;
  try {
    text = utf8.decode(fs.readFileSync(file));
  } catch {
    continue; // the same files our CLI skips: not UTF-8
  }
  files++;
  for (const d of workspace.check(text)) {
    // The wasm build reports rule names (e.g. "unused-async"), not codes; syntax errors have no rule.
    const code = d.code ?? 'invalid-syntax';
    if (code === 'invalid-syntax') {
      syntaxErrors++;
      continue;
    }
    byCode[code] = (byCode[code] ?? 0) + 1;
    findings++;
  }
}
const workSeconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ version: ruff.Workspace.version(), workSeconds, files, findings, syntaxErrors, byCode, maxRssKb: process.resourceUsage().maxRSS }));
