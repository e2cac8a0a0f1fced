/**
 * The names a file's import statements bind, read from its text without parsing it: with imports
 * followed, the pre-filter asks the workspace about them before deciding that a file need not be
 * parsed at all. Every `import` word of the text is either understood as part of an import
 * statement or in a comment; anything else (a docstring that says "import", an unusual layout)
 * makes the scan give up, and the file is then parsed as usual.
 */

export interface ScannedImport {
  /** The name bound: `a` for `import a.b`, `c` for `import a.b as c` and `from a import b as c`. */
  name: string;
  /** What it denotes, as written: `a`, `a.b`, `.mod.b` (relative targets are left relative). */
  target: string;
}

export interface ScannedImports {
  imports: ScannedImport[];
  /** Where the statements are, as [start, end) offsets. */
  statements: Array<{ start: number; end: number }>;
}

const IMPORT = /(?<![\p{ID_Continue}.])import(?!\p{ID_Continue})/gu;
const NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*/u;
const DOTTED = /^[\p{ID_Start}_][\p{ID_Continue}]*(?:[ \t]*\.[ \t]*[\p{ID_Start}_][\p{ID_Continue}]*)*/u;
const RELATIVE = /^\.+(?:[ \t]*[\p{ID_Start}_][\p{ID_Continue}]*(?:[ \t]*\.[ \t]*[\p{ID_Start}_][\p{ID_Continue}]*)*)?/u;

/** The file's imports, or undefined when an `import` word cannot be told apart from code the scan does not understand. */
export function scanImports(text: string): ScannedImports | undefined {
  const result: ScannedImports = { imports: [], statements: [] };
  // Where the last statement read ended: a line of many `import a; import b` is read once, not once per statement.
  let lastEnd = 0;
  for (const match of text.matchAll(IMPORT)) {
    const at = match.index;
    const lineStart = Math.max(lastEnd, logicalLineStart(text, at, lastEnd));
    const before = text.slice(lineStart, at);
    if (before.includes('#')) {
      // In a comment, unless a string on the line may hold the `#`.
      if (/['"]/.test(before)) return undefined;
      continue;
    }
    // `if TYPE_CHECKING: import x`, `import a; import b`: the statement starts after the last `:` or `;`.
    const joined = before.replace(/\\\r?\n/g, ' ');
    const head = joined.slice(Math.max(joined.lastIndexOf(';'), joined.lastIndexOf(':')) + 1).trim();
    const parsed = head === '' ? parseImport(text, at + 'import'.length) : head.startsWith('from') ? parseFrom(head, text, at + 'import'.length) : undefined;
    if (!parsed) return undefined;
    result.imports.push(...parsed.imports);
    // The statement's first word: `import` itself, or the `from` after the last `:` or `;` (a `:` or
    // `;` is never part of what the backslashes joined, so `before` has it at the same place).
    const afterSeparator = Math.max(before.lastIndexOf(';'), before.lastIndexOf(':')) + 1;
    const start = head === '' ? at : lineStart + before.indexOf('from', afterSeparator);
    result.statements.push({ start, end: parsed.end });
    lastEnd = parsed.end;
  }
  return result;
}

/** Where the logical line holding `at` starts (lines ended by a backslash continue), looking back no further than `floor`. */
function logicalLineStart(text: string, at: number, floor: number): number {
  // A lone `\r` ends a line for Python too.
  const lineStart = (before: number) => {
    for (let i = before - 1; i >= floor; i--) if (text[i] === '\n' || text[i] === '\r') return i + 1;
    return floor;
  };
  let start = lineStart(at);
  for (;;) {
    if (start >= 3 && start > floor && text[start - 1] === '\n' && text[start - 2] === '\r' && text[start - 3] === '\\') start = lineStart(start - 3);
    else if (start >= 2 && start > floor && text[start - 2] === '\\') start = lineStart(start - 2);
    else return start;
  }
}

/** `import a.b, c as d` from after the keyword. */
function parseImport(text: string, from: number): { imports: ScannedImport[]; end: number } | undefined {
  const imports: ScannedImport[] = [];
  let at = from;
  for (;;) {
    at = skipBlanks(text, at, false);
    const dotted = DOTTED.exec(text.slice(at, at + 1000));
    if (!dotted) return undefined;
    const target = dotted[0].replace(/[ \t]/g, '');
    at += dotted[0].length;
    const alias = aliasAt(text, at, false);
    if (alias === null) return undefined;
    if (alias) {
      imports.push({ name: alias.name, target });
      at = alias.end;
    } else {
      imports.push({ name: target.split('.')[0]!, target: target.split('.')[0]! });
    }
    at = skipBlanks(text, at, false);
    if (text[at] === ',') {
      at++;
      continue;
    }
    return endOfStatement(text, at) ? { imports, end: at } : undefined;
  }
}

/** `from m import a, b as c` / `(a, b)` / `*`, given what precedes `import`. */
function parseFrom(head: string, text: string, from: number): { imports: ScannedImport[]; end: number } | undefined {
  const rest = head.slice('from'.length);
  if (!/^[ \t\\]/.test(rest)) return undefined;
  const written = rest.trim();
  const module = RELATIVE.exec(written) ?? DOTTED.exec(written);
  if (!module || module[0].length !== written.length) return undefined;
  const moduleName = written.replace(/[ \t]/g, '');
  let at = skipBlanks(text, from, false);
  if (text[at] === '*') {
    // A star import binds names the analysis does not resolve.
    at++;
    return endOfStatement(text, skipBlanks(text, at, false)) ? { imports: [], end: at } : undefined;
  }
  const parenthesized = text[at] === '(';
  if (parenthesized) at++;
  const imports: ScannedImport[] = [];
  for (;;) {
    at = skipBlanks(text, at, parenthesized);
    if (parenthesized && text[at] === ')') {
      at++;
      break;
    }
    const name = NAME.exec(text.slice(at, at + 300));
    if (!name) return undefined;
    at += name[0].length;
    const alias = aliasAt(text, at, parenthesized);
    if (alias === null) return undefined;
    const target = moduleName.endsWith('.') ? `${moduleName}${name[0]}` : `${moduleName}.${name[0]}`;
    imports.push({ name: alias ? alias.name : name[0], target });
    if (alias) at = alias.end;
    at = skipBlanks(text, at, parenthesized);
    if (text[at] === ',') {
      at++;
      continue;
    }
    if (parenthesized) {
      if (text[at] !== ')') return undefined;
      at++;
    }
    break;
  }
  return endOfStatement(text, skipBlanks(text, at, false)) ? { imports, end: at } : undefined;
}

/** ` as name` at `at`: the alias, undefined when there is none, null when `as` is not followed by a name. */
function aliasAt(text: string, at: number, multiline: boolean): { name: string; end: number } | undefined | null {
  const start = skipBlanks(text, at, multiline);
  if (!/^as(?!\p{ID_Continue})/u.test(text.slice(start, start + 3))) return undefined;
  const nameAt = skipBlanks(text, start + 2, multiline);
  const name = NAME.exec(text.slice(nameAt, nameAt + 300));
  return name ? { name: name[0], end: nameAt + name[0].length } : null;
}

/** Skips spaces, tabs and backslash continuations; inside brackets, line breaks and comments too. */
function skipBlanks(text: string, at: number, multiline: boolean): number {
  for (;;) {
    const c = text[at];
    if (c === ' ' || c === '\t' || c === '\f') at++;
    else if (c === '\\' && (text[at + 1] === '\n' || text[at + 1] === '\r')) at += text[at + 1] === '\r' && text[at + 2] === '\n' ? 3 : 2;
    else if (multiline && (c === '\n' || c === '\r')) at++;
    else if (multiline && c === '#') {
      const end = text.indexOf('\n', at);
      at = end < 0 ? text.length : end;
    } else return at;
  }
}

/** The statement ends here: end of text or line, `;`, or a comment. */
function endOfStatement(text: string, at: number): boolean {
  const c = text[at];
  return c === undefined || c === '\n' || c === '\r' || c === ';' || c === '#';
}
