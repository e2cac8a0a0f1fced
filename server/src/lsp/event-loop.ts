/**
 * Yielding to the event loop from work done in slices (the background index, the analysis that
 * settles a pause in typing, the model prepared for typing while idle), so that a message that
 * arrives meanwhile is served before the next slice.
 */

/**
 * Turns of the event loop per yield. Serving a message takes a chain of callbacks, each queued
 * with setImmediate by the one before (vscode-jsonrpc's reader lock, its message queue, then the
 * analysis the server schedules), and a callback queued from another runs on the next turn only:
 * resuming after one turn would put a slice between every two links (a keystroke that arrived
 * during the analysis settling a pause waited for three 8 ms slices).
 */
const TURNS_PER_YIELD = 4;

export function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    let turns = TURNS_PER_YIELD;
    const turn = (): void => {
      if (--turns <= 0) resolve();
      else setImmediate(turn);
    };
    setImmediate(turn);
  });
}
