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
