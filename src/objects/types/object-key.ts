import { SealboxError } from '../../errors/index.js'

/** Reserved segment start: a folder store keeps its temp, lock and metadata files under such names. */
export const RESERVED_NAME_PREFIX = '.~'

const MAX_KEY_BYTES = 1024

/**
 * Refuses any key that could name something outside the store's folder or collide with the
 * store's own files: empty, absolute, `.`/`..` or empty segments, NUL or backslash, a segment
 * starting with `.~`, more than 1,024 UTF-8 bytes.
 */
export function checkObjectKey(key: string): string[] {
  const refuse = (why: string): never => {
    throw new SealboxError('UsageError', `invalid object key ${JSON.stringify(key)}: ${why}`)
  }
  if (typeof key !== 'string' || key.length === 0) refuse('a key is a non-empty name')
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    refuse(`keys are at most ${MAX_KEY_BYTES} bytes`)
  if (key.includes('\0')) refuse('keys may not contain NUL')
  if (key.includes('\\')) refuse('keys may not contain a backslash')
  if (key.startsWith('/')) refuse('keys are relative (no leading /)')
  const segments = key.split('/')
  for (const s of segments) {
    if (s === '') refuse('keys have no empty segments (no //, no trailing /)')
    if (s === '.' || s === '..') refuse(`'${s}' segments are not allowed`)
    if (s.startsWith(RESERVED_NAME_PREFIX))
      refuse(`segments starting with '${RESERVED_NAME_PREFIX}' are reserved`)
  }
  return segments
}

/** Byte-order comparison of UTF-8 strings (the order S3 lists keys in). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
