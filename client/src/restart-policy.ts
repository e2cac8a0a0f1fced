/**
 * When the language server dies, restart it after a growing delay (1 s, 2 s, 4 s ... up to 30 s),
 * and give up after too many crashes in a short time, so a server that crashes on start does not
 * spin. Pure logic (no VS Code API) so it can be tested on its own.
 */
export interface RestartDecision {
  restart: boolean;
  /** Wait this long before restarting. */
  delayMs: number;
  /** Tell the user (once per session for restarts, once when giving up). */
  notify?: 'restarted' | 'gave-up';
}

export class RestartPolicy {
  private crashes: number[] = [];
  private toldRestart = false;

  constructor(
    private readonly maxCrashes = 5,
    private readonly windowMs = 3 * 60_000,
    private readonly maxDelayMs = 30_000,
  ) {}

  onCrash(now = Date.now()): RestartDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    if (this.crashes.length > this.maxCrashes) return { restart: false, delayMs: 0, notify: 'gave-up' };
    const delayMs = Math.min(1000 * 2 ** (this.crashes.length - 1), this.maxDelayMs);
    const notify = this.toldRestart ? undefined : 'restarted';
    this.toldRestart = true;
    return { restart: true, delayMs, ...(notify ? { notify } : {}) };
  }

  /** A manual restart starts the count afresh. */
  reset(): void {
    this.crashes = [];
  }
}
