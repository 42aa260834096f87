import { SealboxError } from '../../errors/index.js'

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/** `--since` / `--until`: an ISO 8601 time, or a span back from now such as `90s`, `15m`, `1h`, `7d`, `2w`. */
export function timeBound(text: string, flag: string, now: Date): Date {
  const relative = /^(\d+)([smhdw])$/.exec(text.trim())
  if (relative !== null)
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!]!)
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(ms)) {
    throw new SealboxError(
      'UsageError',
      `${flag} ${JSON.stringify(text)} is neither an ISO 8601 time nor a span such as 1h or 7d`,
      {
        hint: `e.g. ${flag} 2030-01-31T12:00:00Z or ${flag} 24h`,
      },
    )
  }
  return new Date(ms)
}
