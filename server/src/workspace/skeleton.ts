/**
 * A module's text with the bodies of its functions left out, for summaries that need only what
 * lies outside function bodies: the workspace index asks a summary whether a name is an `async def`,
 * a class or an import, and reads the body facts (blocking calls, calls) from another parse only when
 * asked for them. The summaries of imported modules were the costliest part of a cold CLI run with
 * imports followed, most of it parsing bodies nothing looked at.
 *
 * Lines keep their numbers, and what is kept its column: a body left out becomes `...` where its first
 * statement started, then only the line breaks up to where its last statement ended. Offsets after such
 * a body move: the model of a skeleton is read with the skeleton as its source.
 */
import { stringEnd, stringPrefix } from '../core/code-text';
import { ATTRIBUTE_ASSIGNMENT, NAME_CHAR } from '../core/prefilter';

/**
 * Words that make a body matter outside itself: `yield` makes the function a generator (a summary
 * says so); `global` and `nonlocal` let it bind names of enclosing scopes, which the model looks for.
 */
const BODY_MATTERS = new RegExp(`(?<!${NAME_CHAR})(?:yield|global|nonlocal)(?!${NAME_CHAR})`);

/** An attribute assigned (`self.conn = ...`), as the pre-filter finds them: the model types attributes from every method's assignments. */
const ATTRIBUTE_ASSIGNED = new RegExp(ATTRIBUTE_ASSIGNMENT.source);

export interface SkeletonOptions {
  /**
   * Leave out only the bodies of `async def`s, and not those that assign an attribute: what the body
   * facts of a module's sync functions rest on (they are worked out for sync functions only).
   */
  asyncOnly?: boolean;
}

/** Bodies shorter than this are left as they are: nothing to gain. */
const MIN_BODY = 32;

/**
 * The skeleton of `text`, or undefined when it would save nothing or the text is one this scan does
 * not follow (tabs or form feeds in indentation, a lone carriage return, a string that never ends):
 * the caller then parses the text itself.
 */
export function skeletonOf(text: string, options: SkeletonOptions = {}): string | undefined {
  if (/\r(?!\n)/.test(text)) return undefined;
  const lines = new LogicalLines(text);
  let budget = 4 * text.length + 65_536;
  const leftOut: Array<{ start: number; dots: number; end: number }> = [];
  let line = lines.next();
  while (line) {
    const def = line.colon < 0 || line.codeAfterColon ? undefined : defAt(text, line.codeStart);
    if (!def || (options.asyncOnly && def !== 'async')) {
      line = lines.next();
      continue;
    }
    const header = line;
    line = lines.next();
    if (!line || line.indent <= header.indent) continue;
    const first = line;
    let last = line;
    while (line && line.indent > header.indent) {
      last = line;
      line = lines.next();
    }
    const body = text.slice(first.codeStart, last.end);
    // A body is searched, and scanned again if kept, once per function it is nested in: deep
    // nesting would make that quadratic, so past a few passes over the text the whole text is parsed.
    budget -= body.length;
    if (budget < 0) return undefined;
    if (body.length < MIN_BODY || BODY_MATTERS.test(body) || (options.asyncOnly && ATTRIBUTE_ASSIGNED.test(body))) {
      // Its nested functions may still be left out: their lines are scanned again.
      lines.restartAt(first);
      line = lines.next();
      continue;
    }
    leftOut.push({ start: header.end, dots: first.codeStart, end: last.end });
  }
  if (lines.failed || leftOut.length === 0) return undefined;
  const pieces: string[] = [];
  let kept = 0;
  for (const { start, dots, end } of leftOut) {
    // The line breaks stay (lines keep their numbers), what is between them goes, spaces too: tree-sitter's
    // lexer reads whitespace a character at a time, which would take most of what leaving out saves.
    const indentStart = text.lastIndexOf('\n', dots) + 1;
    pieces.push(text.slice(kept, start), lineBreaks(text, start, indentStart), text.slice(indentStart, dots), '...', lineBreaks(text, dots, end));
    kept = end;
  }
  pieces.push(text.slice(kept));
  return pieces.join('');
}

/** The line breaks of `text` between `from` and `to`, as they are written (`\n` or `\r\n`). */
function lineBreaks(text: string, from: number, to: number): string {
  let breaks = '';
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) breaks += text.charCodeAt(at - 1) === 13 ? '\r\n' : '\n';
  return breaks;
}

/** Whether a `def` or an `async def` starts at `at`. */
function defAt(text: string, at: number): 'def' | 'async' | undefined {
  let kind: 'def' | 'async' = 'def';
  if (text.startsWith('async', at)) {
    let i = at + 5;
    const first = i;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    if (i === first) return undefined;
    at = i;
    kind = 'async';
  }
  return text.startsWith('def', at) && !isNameChar(text.charCodeAt(at + 3)) ? kind : undefined;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;
}

interface LogicalLine {
  /** Where its first physical line starts. */
  start: number;
  /** Where its code starts, past the indentation. */
  codeStart: number;
  indent: number;
  /** The line break outside brackets, strings and comments that ends it (the text's length at the end). */
  end: number;
  /** The first colon outside brackets, strings and comments (-1: none). */
  colon: number;
  /** Whether code follows that colon on the line (a body on the `def` line itself). */
  codeAfterColon: boolean;
}

/**
 * The logical lines of a text that hold code: physical lines joined by open brackets, strings or a
 * backslash; lines that are blank or only a comment are skipped.
 */
class LogicalLines {
  private at = 0;
  /** A string that never ends (what follows cannot be told from code), or a tab in indentation. */
  failed = false;

  constructor(private readonly text: string) {}

  restartAt(line: LogicalLine): void {
    this.at = line.start;
  }

  next(): LogicalLine | undefined {
    const { text } = this;
    const n = text.length;
    while (this.at < n && !this.failed) {
      const start = this.at;
      let i = start;
      while (text.charCodeAt(i) === 32) i++;
      const c = text.charCodeAt(i);
      if (i >= n) break;
      // Python counts a tab to the next multiple of 8 and a form feed as a reset: not followed here.
      if (c === 9 || c === 12) {
        this.failed = true;
        break;
      }
      if (c === 10 || c === 13 || c === 35 /* # */) {
        const newline = text.indexOf('\n', i);
        this.at = newline < 0 ? n : newline + 1;
        continue;
      }
      const line: LogicalLine = { start, codeStart: i, indent: i - start, end: n, colon: -1, codeAfterColon: false };
      this.at = this.scanTo(line, i);
      return line;
    }
    this.at = n;
    return undefined;
  }

  /** Scans a logical line from `from`, filling in its end and colon; returns where the next one starts. */
  private scanTo(line: LogicalLine, from: number): number {
    const { text } = this;
    const n = text.length;
    let depth = 0;
    for (let i = from; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        if (depth > 0) continue;
        line.end = text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        return i + 1;
      }
      if (c === 32 || c === 13 || c === 9 || c === 12) continue;
      if (c === 35 /* # */) {
        const newline = text.indexOf('\n', i);
        i = (newline < 0 ? n : newline) - 1;
        continue;
      }
      if (c === 92 /* \ */) {
        const next = text.charCodeAt(i + 1);
        // A backslash before a line break joins lines; before anything else it is code.
        if (next === 10) i++;
        else if (next === 13 && text.charCodeAt(i + 2) === 10) i += 2;
        else {
          if (line.colon >= 0) line.codeAfterColon = true;
          i++;
        }
        continue;
      }
      // Anything else after the colon is code: a body on the `def` line itself.
      if (line.colon >= 0) line.codeAfterColon = true;
      if (c === 34 || c === 39) {
        const end = stringEnd(text, i, stringPrefix(text, i).formatted);
        if (end < 0) {
          this.failed = true;
          return n;
        }
        i = end - 1;
      } else if (c === 58 /* : */) {
        if (depth === 0 && line.colon < 0) line.colon = i;
      } else if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
    }
    line.end = n;
    return n;
  }
}
