// Copies the pinned tree-sitter-python grammar out of its npm package into grammars/,
// and records where it came from (package version, sha256, ABI) in grammars/tree-sitter-python.json.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('tree-sitter-python/package.json');
const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
const wasm = fs.readFileSync(pkgJson.replace('package.json', 'tree-sitter-python.wasm'));
fs.writeFileSync('grammars/tree-sitter-python.wasm', wasm);
await Parser.init();
const language = await Language.load(wasm);
const provenance = {
  package: 'tree-sitter-python',
  version,
  sha256: createHash('sha256').update(wasm).digest('hex'),
  abi: language.abiVersion,
  runtime: `web-tree-sitter ${JSON.parse(fs.readFileSync('node_modules/web-tree-sitter/package.json', 'utf8')).version}`,
};
fs.writeFileSync('grammars/tree-sitter-python.json', JSON.stringify(provenance, null, 2) + '\n');
console.log(`grammars/tree-sitter-python.wasm <- tree-sitter-python@${version} (ABI ${provenance.abi})`);
