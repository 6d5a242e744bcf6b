/**
 * A shortcut worth taking only while it pays (a lookup, a comparison that usually finds its match):
 * after a window of `window` tries with under one hit in `oneIn`, it is skipped for four windows,
 * twice as long after each such window in a row, up to `maxPause` windows.
 */
export class HitRateGate {
  /** Hits in the current window (the caller counts them). */
  hits = 0;
  private tries = 0;
  private pause = 0;
  private backoff = 4; // windows of the next pause

  constructor(
    private readonly window: number,
    private readonly oneIn: number,
    private readonly maxPause: number,
  ) {}

  /** Take the shortcut this time? */
  on(): boolean {
    if (this.pause > 0) {
      this.pause--;
      return false;
    }
    if (++this.tries === this.window) {
      if (this.hits * this.oneIn < this.window) {
        this.pause = this.window * this.backoff;
        this.backoff = Math.min(this.maxPause, this.backoff * 2);
      } else {
        this.backoff = 4;
      }
      this.tries = 0;
      this.hits = 0;
    }
    return true;
  }

  /** Skipped for now. */
  get paused(): boolean {
    return this.pause > 0;
  }
}
