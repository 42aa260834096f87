/** Time as a port: rotation schedules, deletion windows and token expiry read it. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock whose time the caller moves: tests, and `SEALBOX_CLOCK_OFFSET` for users. */
export class ManualClock implements Clock {
  private ms: number
  constructor(start: Date = new Date()) {
    this.ms = start.getTime()
  }
  now(): Date {
    return new Date(this.ms)
  }
  advance(ms: number): void {
    this.ms += ms
  }
  set(date: Date): void {
    this.ms = date.getTime()
  }
}

/** The system clock shifted by a fixed offset, so time can be advanced across processes. */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { now: () => new Date(base.now().getTime() + offsetMs) }
}

export const DAY_MS = 86_400_000
