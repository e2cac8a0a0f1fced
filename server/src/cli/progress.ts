/**
 * A one-line progress bar on stderr for long runs on a terminal: `[=====>    ] 120/480 src/app/db.py`.
 * It appears only after a short delay (quick runs never flicker), redraws at most every
 * REDRAW_MS, and erases itself before anything else is written to stderr and at the end, so
 * the terminal keeps only the report. Nothing is ever written to stdout.
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_MS = 80;
const BAR_WIDTH = 20;
const CLEAR_LINE = '\r\x1b[2K';

export interface ProgressOptions {
  /** Milliseconds before the bar first appears. */
  delayMs?: number;
  now?: () => number;
}

export class Progress {
  private done = 0;
  private current = '';
  private drawn = false;
  private lastDraw = -Infinity;
  private readonly started: number;
  private readonly delayMs: number;
  private readonly now: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.delayMs = options.delayMs ?? 300;
    this.started = this.now();
  }

  /** Call when starting on `file`; `done` files are finished. */
  update(done: number, file: string): void {
    this.done = done;
    this.current = file;
    const now = this.now();
    if (now - this.started < this.delayMs || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw();
  }

  /** Writes a line to the stream without leaving a half-drawn bar in it. */
  log(line: string): void {
    this.clear();
    this.stream.write(line);
  }

  /** Erases the bar; the next update draws it again. */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  private draw(): void {
    const filled = this.total > 0 ? Math.round((this.done / this.total) * BAR_WIDTH) : 0;
    const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
    const head = `[${bar}] ${this.done}/${this.total} `;
    // One character short of the width: writing the last column wraps the cursor on some terminals.
    const room = Math.max(0, (this.stream.columns || 80) - head.length - 1);
    const file = this.current.length > room ? `…${this.current.slice(this.current.length - room + 1)}` : this.current;
    this.stream.write(`${CLEAR_LINE}${head}${room > 0 ? file : ''}`);
    this.drawn = true;
  }
}

export type ProgressReporter = Pick<Progress, 'update' | 'log' | 'clear'>;

/** The bar when `stream` is a terminal and it is wanted; otherwise lines pass straight through. */
export function progressFor(stream: ProgressStream, total: number, wanted: boolean, options?: ProgressOptions): ProgressReporter {
  if (wanted && stream.isTTY) return new Progress(stream, total, options);
  return { update() {}, clear() {}, log: (line: string) => void stream.write(line) };
}
