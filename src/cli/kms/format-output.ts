import { toWire } from '../../kms/wire/index.js'

/** Python's `str()` of a JSON scalar, which is what the AWS CLI's text output prints. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  return String(value)
}

function isScalar(value: unknown): boolean {
  return typeof value !== 'object' || value === null
}

/**
 * The AWS CLI's `--output text`: the scalars of an object on one tab-separated line (sorted by
 * key, prefixed by the upper-cased name of the member that holds it), then its nested members;
 * a list of objects one row each; a list of scalars on one line.
 */
export function formatText(value: unknown): string {
  const lines: string[] = []
  write(value, undefined, undefined, lines)
  return lines.map((l) => l + '\n').join('')
}

function write(
  value: unknown,
  identifier: string | undefined,
  scalarKeys: string[] | undefined,
  out: string[],
): void {
  if (Array.isArray(value)) {
    writeList(value, identifier, out)
  } else if (typeof value === 'object' && value !== null) {
    writeObject(value as Record<string, unknown>, identifier, scalarKeys, out)
  } else {
    out.push(scalarText(value))
  }
}

function writeList(items: unknown[], identifier: string | undefined, out: string[]): void {
  if (items.length === 0) return
  if (items.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
    const keys = new Set<string>()
    for (const item of items) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        for (const [k, v] of Object.entries(item)) if (isScalar(v)) keys.add(k)
      }
    }
    const scalarKeys = [...keys].sort()
    for (const item of items) write(item, identifier, scalarKeys, out)
    return
  }
  const scalars = items.filter(isScalar)
  const nested = items.filter((v) => !isScalar(v))
  if (scalars.length > 0) {
    if (identifier !== undefined)
      for (const s of scalars) out.push(`${identifier.toUpperCase()}\t${scalarText(s)}`)
    else out.push(scalars.map(scalarText).join('\t'))
  }
  for (const n of nested) write(n, identifier, undefined, out)
}

function writeObject(
  item: Record<string, unknown>,
  identifier: string | undefined,
  scalarKeys: string[] | undefined,
  out: string[],
): void {
  const scalars: string[] = []
  const nested: Array<[string, unknown]> = []
  if (scalarKeys === undefined) {
    for (const key of Object.keys(item).sort()) {
      if (isScalar(item[key])) scalars.push(scalarText(item[key]))
      else nested.push([key, item[key]])
    }
  } else {
    for (const key of scalarKeys) scalars.push(key in item ? scalarText(item[key]) : '')
    for (const key of Object.keys(item).sort())
      if (!scalarKeys.includes(key)) nested.push([key, item[key]])
  }
  if (scalars.length > 0) {
    if (identifier !== undefined) scalars.unshift(identifier.toUpperCase())
    out.push(scalars.join('\t'))
  }
  for (const [key, value] of nested) write(value, key, undefined, out)
}

/** Python's `datetime.isoformat()` in UTC, as the AWS CLI v2 prints timestamps. */
export function isoTimestamp(date: Date): string {
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = date.getUTCMilliseconds()
  return `${iso.slice(0, 19)}${ms === 0 ? '' : `.${String(ms).padStart(3, '0')}000`}+00:00`
}

function datesToIso(value: unknown): unknown {
  if (value instanceof Date) return isoTimestamp(value)
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(datesToIso)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, datesToIso(v)]))
}

/** A port response as the AWS CLI prints it: AWS member names, base64 blobs, ISO timestamps. */
export function cliShape(output: unknown): unknown {
  return toWire(datesToIso(output))
}

/** The AWS CLI's `--output json`: four-space indentation, non-ASCII characters as they are. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n'
}
