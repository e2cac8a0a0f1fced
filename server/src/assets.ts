/**
 * Where the shipped files are: next to the bundle in dist/ (the extension, the
 * npm package), or in the source tree when running from sources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParserLocation } from './core/parser';

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((c) => fs.existsSync(c));
}

export function parserLocation(): ParserLocation {
  if (fs.existsSync(path.join(__dirname, 'tree-sitter-python.wasm'))) {
    return { grammarDir: __dirname, runtimeDir: __dirname };
  }
  return { grammarDir: path.resolve(__dirname, '..', '..', 'grammars') };
}

let rulesDocs: string | undefined;

/** The folder of rule pages (docs/rules), shipped as dist/docs/rules (looked for once: every diagnostic links to a page). */
export function rulesDocsDir(): string {
  rulesDocs ??=
    firstExisting([path.join(__dirname, 'docs', 'rules'), path.resolve(__dirname, '..', '..', 'docs', 'rules')]) ?? path.join(__dirname, 'docs', 'rules');
  return rulesDocs;
}

/** The folder of concept notes (docs/concepts), shipped as dist/docs/concepts. */
export function conceptsDir(): string {
  return path.join(path.dirname(rulesDocsDir()), 'concepts');
}

/** The bundled example programs (the CLI's default target). */
export function examplesDir(): string {
  return (
    firstExisting([path.resolve(__dirname, '..', 'examples'), path.resolve(__dirname, '..', '..', 'examples')]) ??
    path.resolve(__dirname, '..', 'examples')
  );
}

const localRuleDocUrls = new Map<string, string>();

/** `file://` link to a rule's page, or `<base>/rules/CODE.md` when a hosted copy of docs/ is configured. */
export function ruleDocUrl(code: string, base?: string): string {
  if (base) return `${base.replace(/\/?$/, '/')}rules/${code}.md`;
  // A file with a thousand findings asks at every keystroke: a file system lookup and a URL each, before.
  let url = localRuleDocUrls.get(code);
  if (url === undefined) localRuleDocUrls.set(code, (url = pathToFileURL(path.join(rulesDocsDir(), `${code}.md`)).href));
  return url;
}

export function packageVersion(): string {
  const pkg = firstExisting([path.resolve(__dirname, '..', 'package.json'), path.resolve(__dirname, '..', '..', 'package.json')]);
  try {
    return pkg ? (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
