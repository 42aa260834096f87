import { SealboxError } from '../../errors/index.js'

const UNITS = { days: 86_400_000, hours: 3_600_000, seconds: 1000 } as const

/** `--days`, `--hours`, `--seconds` (non-negative numbers, at least one) as milliseconds. */
export function clockAdvance(flags: { days?: string; hours?: string; seconds?: string }): number {
  let ms = 0
  let given = false
  for (const unit of Object.keys(UNITS) as Array<keyof typeof UNITS>) {
    const text = flags[unit]
    if (text === undefined) continue
    given = true
    if (!/^\d+(\.\d+)?$/.test(text)) {
      throw new SealboxError(
        'UsageError',
        `--${unit} must be a non-negative number, not ${JSON.stringify(text)}`,
        {
          hint: 'the clock only moves forward',
        },
      )
    }
    ms += Number(text) * UNITS[unit]
  }
  if (!given) {
    throw new SealboxError(
      'UsageError',
      'say how far to move the clock: --days, --hours or --seconds',
    )
  }
  return Math.round(ms)
}
