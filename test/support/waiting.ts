/**
 * Waiting for the event a test needs instead of for a fixed time: polling an observable state, or
 * the clock itself when what a test needs is a later timestamp than one it has seen.
 */

export interface PollOptions {
  /** Gives up after this long and returns the last value, for the caller's assertion to fail on. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/** Reads until `done(value)` holds, then returns that value; the last value read once `timeoutMs` has passed. */
export async function pollUntil<T>(read: () => Promise<T> | T, done: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Resolves once the clock has passed `instant` (milliseconds, or an ISO timestamp the API returned). */
export async function clockPast(instant: number | string): Promise<void> {
  const after = typeof instant === 'number' ? instant : Date.parse(instant);
  while (Date.now() <= after) await new Promise((resolve) => setTimeout(resolve, 1));
}
