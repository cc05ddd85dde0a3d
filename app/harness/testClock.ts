/**
 * A deterministic clock for the store's injectable `now`. Each reading returns the current
 * instant and then moves it forward by `stepMs` (default 1 ms), so posts made one after another
 * get distinct, increasing times (and so a fixed newest-first order) without any real waiting.
 */
export class TestClock {
  private ms: number;

  /** @param start where the clock starts; default 2026-11-22 12:00:00 in Asia/Tokyo. */
  constructor(
    start: Date | string = "2026-11-22T12:00:00+09:00",
    private readonly stepMs = 1,
  ) {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new Error(`TestClock: not a date: ${String(start)}`);
  }

  /** The store's `now`: an arrow function, so it can be passed around unbound. */
  readonly now = (): Date => {
    const instant = new Date(this.ms);
    this.ms += this.stepMs;
    return instant;
  };

  /** Moves the clock to `instant`. */
  set(instant: Date | string): void {
    this.ms = new Date(instant).getTime();
  }

  /** Moves the clock forward (or back, with a negative value). */
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Runs `run` with the process's clock (`Date.now`) `ms` ahead, for what reads it directly rather
 * than an injectable clock: the CSRF tokens' expiry (@fastify/csrf). Restored afterwards.
 */
export async function withClockAhead<T>(ms: number, run: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await run();
  } finally {
    Date.now = realNow;
  }
}
