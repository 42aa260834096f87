import { SealboxError } from '../../../errors/index.js'
import type { Page } from '../../types/index.js'

/** AWS's wording for a failed constraint: `1 validation error detected: Value at 'x' failed …`. */
export function validation(member: string, constraint: string, value?: unknown): SealboxError {
  const shown = value === undefined ? '' : ` '${String(value)}'`
  return new SealboxError(
    'ValidationException',
    `1 validation error detected: Value${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  )
}

export function required<T>(value: T | undefined, member: string): T {
  if (value === undefined || value === null) throw validation(member, 'Member must not be null')
  return value
}

export function lengthBetween(
  value: { length: number } | undefined,
  member: string,
  min: number,
  max: number,
): void {
  if (value === undefined) return
  if (value.length < min)
    throw validation(member, `Member must have length greater than or equal to ${min}`)
  if (value.length > max)
    throw validation(member, `Member must have length less than or equal to ${max}`)
}

export function intBetween(
  value: number | undefined,
  member: string,
  min: number,
  max: number,
): void {
  if (value === undefined) return
  if (!Number.isInteger(value)) throw validation(member, 'Member must be an integer', value)
  if (value < min)
    throw validation(member, `Member must have value greater than or equal to ${min}`, value)
  if (value > max)
    throw validation(member, `Member must have value less than or equal to ${max}`, value)
}

/** A page of `items` sorted by `sortKey`: markers are opaque base64 of the last key returned. */
export function paginate<T>(
  input: { limit?: number; marker?: string },
  fetch: (after: string, limit: number) => T[],
  sortKey: (item: T) => string,
  defaultLimit = 100,
  maxLimit = 1000,
): Page & { items: T[] } {
  intBetween(input.limit, 'limit', 1, maxLimit)
  const limit = input.limit ?? defaultLimit
  let after = ''
  if (input.marker !== undefined) {
    const decoded = Buffer.from(input.marker, 'base64url').toString('utf8')
    if (
      !decoded.startsWith('m1:') ||
      Buffer.from(decoded, 'utf8').toString('base64url') !== input.marker
    ) {
      throw new SealboxError(
        'InvalidMarkerException',
        'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
      )
    }
    after = decoded.slice(3)
  }
  const rows = fetch(after, limit + 1)
  const items = rows.slice(0, limit)
  const truncated = rows.length > limit
  const page: Page & { items: T[] } = { items, truncated }
  if (truncated)
    page.nextMarker = Buffer.from(`m1:${sortKey(items[items.length - 1]!)}`, 'utf8').toString(
      'base64url',
    )
  return page
}

/** AWS's answer to a request with DryRun set that would otherwise have succeeded. */
export function dryRun(flag: boolean | undefined): void {
  if (flag === true) {
    throw new SealboxError(
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    )
  }
}
