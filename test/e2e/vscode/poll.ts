/** Bounded polling: the workbench is asynchronous everywhere, so tests wait for a state, never for a time. */

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than undefined/false and returns that. On timeout the
 * error names what was awaited and the last thing `describe` saw, which is usually what is needed to
 * understand the failure.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  describe: () => Promise<string>,
  { timeoutMs = 30_000, intervalMs = 250 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error; // a detached element mid-render, say; try again
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  let seen: string;
  try {
    seen = await describe();
  } catch (error) {
    seen = `(could not read the state: ${String(error)})`;
  }
  const cause = lastError ? `\nlast error: ${String(lastError)}` : '';
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\nlast seen:\n${seen}${cause}`);
}
