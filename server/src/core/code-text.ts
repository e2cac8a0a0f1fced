/**
 * A file's text with the contents of its comments and plain string literals blanked out (every
 * character but line breaks becomes a space, so offsets stay the same): what the pre-filter reads,
 * so that "asyncio" in a docstring or `re` in "re-raise" makes no code worth analyzing. The analysis
 * never resolves a name from inside a string or a comment (string annotations are left unresolved).
 *
 * f-strings (and template strings) are kept as they are: their replacement fields are code. Where
 * the text is not plain Python to this scan (a string left open at the end), the rest is kept as
 * it is, which only makes more code count.
 */

let last: { text: string; code: string } | undefined;
const MAX_NESTED_STRINGS = 64;

export function codeOnly(text: string): string {
  if (last?.text === text) return last.code;
  const code = blankOut(text);
  last = { text, code };
  return code;
}

/** Spaces to slice blanks from (grown as needed): most comments and strings are on one line. */
let spaces = ' '.repeat(256);

function blankOf(piece: string): string {
  while (spaces.length < piece.length) spaces += spaces;
  if (!LINE_BREAK.test(piece)) return spaces.slice(0, piece.length);
  // A docstring: spaces between its line breaks, the breaks kept as they are.
  let blank = '';
  let from = 0;
  for (const match of piece.matchAll(LINE_BREAKS)) {
    blank += spaces.slice(0, match.index - from) + match[0];
    from = match.index + match[0].length;
  }
  return blank + spaces.slice(0, piece.length - from);
}

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /\r\n|\r|\n/g;

function blankOut(text: string): string {
  // Plain ASCII work on char codes; the result is joined from kept slices and blanks.
  const pieces: string[] = [];
  let kept = 0;
  const blank = (from: number, to: number) => {
    pieces.push(text.slice(kept, from), blankOf(text.slice(from, to)));
    kept = to;
  };
  const n = text.length;
  let i = 0;
  // From one `#` or quote to the next: the regular expression engine skips the code between faster.
  const special = /[#"']/g;
  while (i < n) {
    special.lastIndex = i;
    const next = special.exec(text);
    if (!next) break;
    i = next.index;
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      // A lone `\r` ends a line for Python too.
      let end = i + 1;
      for (let e = text.charCodeAt(end); end < n && e !== 10 && e !== 13; e = text.charCodeAt(++end));
      blank(i, end);
      i = end;
      continue;
    }
    // A quote: the search stops at nothing else.
    const prefix = stringPrefix(text, i);
    const end = stringEnd(text, i, prefix.formatted);
    if (end < 0) break;
    if (!prefix.formatted) blank(i, end);
    i = end;
  }
  if (kept === 0) return text;
  pieces.push(text.slice(kept));
  return pieces.join('');
}

/** The letters right before a quote, if they are a string prefix (`rb`, `f`, `Rf`, `t`...). */
export function stringPrefix(text: string, quote: number): { formatted: boolean } {
  let start = quote;
  while (start > 0 && quote - start < 2 && /[rRbBuUfFtT]/.test(text[start - 1]!)) start--;
  // Part of a longer name (`x"..."` is not Python anyway): no prefix.
  if (start > 0 && /[\p{ID_Continue}]/u.test(text[start - 1]!)) return { formatted: false };
  return { formatted: /[fFtT]/.test(text.slice(start, quote)) };
}

/** Where the string literal starting at `at` (its opening quote) ends, just past the closing quote; -1 when it never does. */
export function stringEnd(text: string, at: number, formatted: boolean, depth0 = 0): number {
  // f-strings nested this deep are not written by people: give up (the rest is kept as it is).
  if (depth0 > MAX_NESTED_STRINGS) return -1;
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let i = at + (triple ? 3 : 1);
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (formatted) {
      if (c === 123 /* { */) {
        if (depth === 0 && text.charCodeAt(i + 1) === 123) {
          i += 2;
          continue;
        }
        depth++;
      } else if (c === 125 /* } */) {
        if (depth === 0 && text.charCodeAt(i + 1) === 125) {
          i += 2;
          continue;
        }
        if (depth > 0) depth--;
      } else if (depth > 0 && (c === 34 || c === 39)) {
        // A string inside a replacement field (Python 3.12 allows the same quote).
        const inner = stringEnd(text, i, /[fFtT]/.test(text[i - 1] ?? ''), depth0 + 1);
        if (inner < 0) return -1;
        i = inner;
        continue;
      }
    }
    if (depth === 0 && c === quote) {
      if (!triple) return i + 1;
      if (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote) return i + 3;
    }
    // A one-line string ends at the line break (an unterminated string: a syntax error anyway).
    if (!triple && depth === 0 && (c === 10 || c === 13)) return i;
    i++;
  }
  return -1;
}
