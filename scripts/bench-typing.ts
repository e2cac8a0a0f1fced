/** What the keystroke benchmarks share: seeded places to type at, and percentiles of the latencies. */

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A small seeded generator, so every run edits the same places. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/**
 * Typing as the benchmarks do it: one character at a random place, then its deletion, and so on.
 * `space` types a space at the end of a line (the text stays valid); `random` types a random
 * character at a random offset (often a syntax error for a moment, as when typing).
 */
export function typist(lines: readonly string[], random: () => number, mode: 'space' | 'random'): () => Change {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_0123456789 ().:,=[]"#';
  let typed: { line: number; character: number } | undefined;
  return () => {
    if (typed) {
      const change = { range: { start: typed, end: { line: typed.line, character: typed.character + 1 } }, text: '' };
      typed = undefined;
      return change;
    }
    const line = Math.floor(random() * (lines.length - 1));
    const character = mode === 'space' ? lines[line]!.length : Math.floor(random() * (lines[line]!.length + 1));
    typed = { line, character };
    return { range: { start: typed, end: typed }, text: mode === 'space' ? ' ' : alphabet[Math.floor(random() * alphabet.length)]! };
  };
}

/**
 * Typing as people do: a new statement typed character by character on a new line inside a function
 * body (below a random indented line that is not a `def`, `class` or decorator), then erased
 * character by character, then the next one elsewhere. Consecutive edits stay in one function.
 */
export function wordTypist(lines: readonly string[], random: () => number, statement = 'result = await fetch(value, 1)'): () => Change {
  const inBody = (line: string) => /^\s{4,}\S/.test(line) && !/^\s*(async def|def|class|@)\b/.test(line) && !/[(\[{,\\]\s*$/.test(line) && !/^\s*("""|\'\'\')/.test(line);
  let queue: Change[] = [];
  return () => {
    if (queue.length === 0) {
      let line = 0;
      for (let tries = 0; tries < 1000; tries++) {
        line = Math.floor(random() * (lines.length - 1));
        const next = lines[line + 1] ?? '';
        if (inBody(lines[line]!) && inBody(next) && !lines[line]!.trimEnd().endsWith(':') && indentOf(next) === indentOf(lines[line]!) && insideFunction(lines, line)) break;
      }
      const indent = indentOf(lines[line]!);
      const end = { line, character: lines[line]!.length };
      const start = { line: line + 1, character: indent.length };
      const at = (k: number) => ({ line: line + 1, character: indent.length + k });
      queue = [
        { range: { start: end, end }, text: `\n${indent}` },
        ...[...statement].map((ch, k) => ({ range: { start: at(k), end: at(k) }, text: ch })),
        ...[...statement].map((_, k) => ({ range: { start: at(statement.length - k - 1), end: at(statement.length - k) }, text: '' })),
        { range: { start: end, end: start }, text: '' },
      ];
    }
    return queue.shift()!;
  };
}

/**
 * Typing an import: a new line below a random module-level import, `statement` typed on it character
 * by character, then erased character by character, then the next one below another import.
 */
export function importTypist(lines: readonly string[], random: () => number, statement = 'import collections.abc as abcs'): () => Change {
  const imports = lines.flatMap((line, i) => (/^(import|from)\s/.test(line) ? [i] : []));
  let queue: Change[] = [];
  return () => {
    if (queue.length === 0) {
      const line = imports[Math.floor(random() * imports.length)]!;
      const end = { line, character: lines[line]!.length };
      const at = (k: number) => ({ line: line + 1, character: k });
      queue = [
        { range: { start: end, end }, text: '\n' },
        ...[...statement].map((ch, k) => ({ range: { start: at(k), end: at(k) }, text: ch })),
        ...[...statement].map((_, k) => ({ range: { start: at(statement.length - k - 1), end: at(statement.length - k) }, text: '' })),
        { range: { start: end, end: at(0) }, text: '' },
      ];
    }
    return queue.shift()!;
  };
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)![0];
}

/** Whether the line is in a function's body: the nearest less indented `def` or `class` line above it is a `def`. */
function insideFunction(lines: readonly string[], line: number): boolean {
  let indent = indentOf(lines[line]!).length;
  for (let i = line - 1; i >= 0 && indent > 0; i--) {
    const above = lines[i]!;
    if (above.trim() === '' || indentOf(above).length >= indent) continue;
    if (/^\s*(async\s+def|def)\b/.test(above)) return true;
    if (/^\s*class\b/.test(above)) return false;
    indent = indentOf(above).length;
  }
  return false;
}
