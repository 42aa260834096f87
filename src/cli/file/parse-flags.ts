import { readFile } from 'node:fs/promises'
import { RawAesKey } from '../../envelope/index.js'
import { SealboxError } from '../../errors/index.js'

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** `--context k=v` flags as an encryption context (the first `=` splits; repeated keys refused). */
export function parseContextFlags(pairs: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) {
      throw new SealboxError('UsageError', `--context '${pair}' is not of the form key=value`)
    }
    const key = pair.slice(0, eq)
    if (Object.prototype.hasOwnProperty.call(context, key)) {
      throw new SealboxError('UsageError', `--context gives '${key}' twice`)
    }
    context[key] = pair.slice(eq + 1)
  }
  return context
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
}

/** `65536`, `64k`, `64KiB`, `1MiB`, `1m` as a byte count, within `[min, max]` when given. */
export function parseSize(
  text: string,
  flag: string,
  range: { min: number; max: number } = { min: 0, max: Number.MAX_SAFE_INTEGER },
): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim())
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()]
  if (m === null || unit === undefined) {
    throw new SealboxError(
      'UsageError',
      `${flag} '${text}' is not a size (examples: 65536, 64KiB, 1MiB)`,
    )
  }
  const size = Number(m[1]) * unit
  if (size < range.min || size > range.max) {
    throw new SealboxError(
      'UsageError',
      `${flag} '${text}' is out of range: give ${range.min} to ${range.max} bytes`,
    )
  }
  return size
}

/** A whole number of at least `min` (default 1). */
export function parseCount(text: string, flag: string, min = 1): number {
  if (!/^\d+$/.test(text))
    throw new SealboxError('UsageError', `${flag} '${text}' is not a whole number`)
  const n = Number(text)
  if (n < min) throw new SealboxError('UsageError', `${flag} must be at least ${min}`)
  return n
}

/**
 * Frames sealbox writes: from 4 KiB (smaller frames only add per-frame cost) to 4 MiB (the
 * largest a reader accepts by default, so every sealbox message opens with default limits).
 */
export const FRAME_SIZE_RANGE = { min: 4096, max: 4 * 1024 * 1024 }

/**
 * `--raw-key NAMESPACE:NAME:PATH`: PATH holds the AES key as 16, 24 or 32 raw bytes, or as
 * base64 text of them. The namespace and name are what the message stores and what the
 * official SDK's RawAesKeyring must be given to read it.
 */
export async function loadRawKeys(specs: readonly string[] | undefined): Promise<RawAesKey[]> {
  const keys: RawAesKey[] = []
  for (const spec of specs ?? []) {
    const first = spec.indexOf(':')
    const second = spec.indexOf(':', first + 1)
    if (first <= 0 || second <= first + 1 || second === spec.length - 1) {
      throw new SealboxError(
        'UsageError',
        `--raw-key '${spec}' is not of the form NAMESPACE:NAME:PATH`,
      )
    }
    const path = spec.slice(second + 1)
    const bytes = await readFile(path)
    let key: Uint8Array = bytes
    if (![16, 24, 32].includes(bytes.length)) {
      const text = bytes.toString('utf8').trim()
      const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined
      if (decoded === undefined || ![16, 24, 32].includes(decoded.length)) {
        bytes.fill(0)
        throw new SealboxError(
          'UsageError',
          `the raw key file ${path} holds neither 16, 24 or 32 bytes nor their base64`,
        )
      }
      key = decoded
    }
    keys.push(new RawAesKey(spec.slice(0, first), spec.slice(first + 1, second), key))
    key.fill(0)
    bytes.fill(0)
  }
  return keys
}
