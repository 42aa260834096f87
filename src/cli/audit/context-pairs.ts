import { SealboxError } from '../../errors/index.js'

/** Repeated `--context KEY=VALUE` flags as one context every listed event must contain. */
export function contextPairs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = Object.create(null) as Record<string, string>
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) {
      throw new SealboxError('UsageError', `--context ${JSON.stringify(pair)} is not KEY=VALUE`, {
        hint: 'e.g. --context Record=User/123 (repeat the flag for several pairs)',
      })
    }
    const key = pair.slice(0, eq)
    if (key in context && context[key] !== pair.slice(eq + 1)) {
      throw new SealboxError(
        'UsageError',
        `--context gives two values for '${key}'; an event has only one`,
      )
    }
    context[key] = pair.slice(eq + 1)
  }
  return context
}
