/**
 * Hovers: on a finding, what is wrong, why, the fix in one line and links to the
 * rule page and its concept note; on async vocabulary (`async def`, `await`,
 * `asyncio.create_task`, `ThreadPoolExecutor`, ...), what it does and its pitfalls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node, Tree } from 'web-tree-sitter';
import { conceptsDir, ruleDocUrl, rulesDocsDir } from '../assets';
import { SemanticModel } from '../core/semantic';
import type { Finding, Position } from '../core/types';
import { VOCABULARY, type VocabularyEntry } from './vocabulary';

/** The concept notes each rule family relates to, most relevant first. */
const FAMILY_CONCEPTS: Record<string, string[]> = {
  '1': ['avoiding-blocking-calls', 'event-loop-and-tasks'],
  '2': ['coroutines-and-await'],
  '3': ['error-handling-and-recovery', 'event-loop-and-tasks'],
  '4': ['error-handling-and-recovery', 'event-loop-and-tasks'],
  '5': ['event-loop-and-tasks', 'error-handling-and-recovery'],
  '6': ['threads-processes-and-the-gil', 'concurrency-vs-parallelism'],
  '7': ['event-loop-and-tasks', 'coroutines-and-await'],
};

export function conceptsFor(code: string): string[] {
  return FAMILY_CONCEPTS[code[3] ?? ''] ?? [];
}

interface PageInfo {
  title: string;
  paragraph: string;
}

const pageCache = new Map<string, PageInfo | undefined>();

/** The title and a one-paragraph explanation of a markdown page (the first paragraph of `section`, or of the page). */
function readPage(file: string, section?: string): PageInfo | undefined {
  const key = `${file}#${section ?? ''}`;
  if (pageCache.has(key)) return pageCache.get(key);
  let info: PageInfo | undefined;
  try {
    const text = fs.readFileSync(file, 'utf8');
    const title = /^# (.+)$/m.exec(text)?.[1]?.trim() ?? path.basename(file, '.md');
    let body = text.slice(text.indexOf('\n') + 1);
    if (section) {
      const start = body.indexOf(`\n## ${section}`);
      if (start >= 0) body = body.slice(body.indexOf('\n', start + 1) + 1);
    }
    const blocks = body.split(/\n\s*\n/).map((p) => p.trim());
    const index = blocks.findIndex((p) => p.length > 0 && !p.startsWith('#') && !p.startsWith('*Category') && !p.startsWith('```') && !p.startsWith('-'));
    let paragraph = index >= 0 ? blocks[index]!.replace(/\s*\n\s*/g, ' ') : '';
    // "For the whole duration:" introduces a list that belongs to the explanation.
    const list = blocks[index + 1];
    if (paragraph.endsWith(':') && list?.startsWith('- ')) {
      paragraph += '\n\n' + list.split(/\n(?=- )/).map((item) => item.replace(/\s*\n\s*/g, ' ')).join('\n');
    }
    info = { title, paragraph };
  } catch {
    info = undefined;
  }
  pageCache.set(key, info);
  return info;
}

export function conceptLink(id: string, docsBaseUrl?: string): { title: string; url: string; summary: string } | undefined {
  const file = path.join(conceptsDir(), `${id}.md`);
  const page = readPage(file);
  if (!page) return undefined;
  const url = docsBaseUrl ? `${docsBaseUrl.replace(/\/?$/, '/')}concepts/${id}.md` : pathToFileURL(file).href;
  return { title: page.title, url, summary: page.paragraph };
}

function contains(finding: Finding, position: Position): boolean {
  const { start, end } = finding.range;
  const afterStart = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const beforeEnd = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return afterStart && beforeEnd;
}

export function findingHover(findings: readonly Finding[], position: Position, docsBaseUrl?: string): string | undefined {
  const here = findings.filter((f) => contains(f, position));
  if (here.length === 0) return undefined;
  return here.map((f) => explainFinding(f, docsBaseUrl)).join('\n\n---\n\n');
}

function explainFinding(finding: Finding, docsBaseUrl?: string): string {
  const why = readPage(path.join(rulesDocsDir(), `${finding.code}.md`), 'Why is this a problem')?.paragraph;
  const fix = finding.fixes.find((f) => f.safe) ?? finding.fixes.find((f) => !f.title.startsWith('Ignore '));
  const links = [`[${finding.code} ${finding.name}](${ruleDocUrl(finding.code, docsBaseUrl)})`];
  for (const id of conceptsFor(finding.code).slice(0, 1)) {
    const concept = conceptLink(id, docsBaseUrl);
    if (concept) links.push(`[${concept.title}](${concept.url})`);
  }
  return [
    `**${finding.code} ${finding.name}** (${finding.category})`,
    finding.message,
    why ?? '',
    fix ? `**Fix:** ${fix.title}` : '',
    `Learn more: ${links.join(' · ')}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The vocabulary entry for the word under the cursor, if it is async vocabulary. */
export function vocabularyHover(tree: Tree, position: Position, docsBaseUrl?: string, source?: string): string | undefined {
  const leaf = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
  if (!leaf) return undefined;
  let entry: VocabularyEntry | undefined;
  if (leaf.type === 'async' && leaf.parent?.type === 'function_definition') entry = VOCABULARY.get('async def');
  else if (leaf.type === 'await') entry = VOCABULARY.get('await');
  else if (leaf.type === 'identifier') {
    const expr = nameExpression(leaf);
    // With the text, only the function under the cursor is built: hovers stay instant in long files.
    const semantic = new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source });
    const name = semantic.qualifiedName(expr);
    entry = name ? VOCABULARY.get(name) : undefined;
  }
  if (!entry) return undefined;
  const concept = conceptLink(entry.concept, docsBaseUrl);
  return [
    `**${entry.title}**`,
    entry.what,
    `**Pitfalls:** ${entry.pitfalls}`,
    concept ? `Learn more: [${concept.title}](${concept.url})` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** `asyncio.create_task` when the cursor is on `create_task` of `asyncio.create_task(...)`. */
function nameExpression(identifier: Node): Node {
  const parent = identifier.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id) return parent;
  return identifier;
}
