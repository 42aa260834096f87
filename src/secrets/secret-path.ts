import { SealboxError } from '../errors/index.js'

/** Longest accepted secret path, in UTF-8 bytes (S3 keys stop at 1,024; the prefix needs room). */
export const MAX_PATH_BYTES = 512

/** The folder segment holding a secret's versions; a secret path may not use it. */
export const VERSIONS_SEGMENT = '.v'
/** The first segment reserved for the store's own objects (the rotation journal). */
export const RESERVED_ROOT = '.sealbox'

// Glob metacharacters are refused in names so that a pattern never has to escape them.
const FORBIDDEN = /[\p{Cc}\\*?[\]{}]/u

/**
 * Checks a secret path and returns it normalised: `/`-separated segments, a leading `/` dropped
 * (`/app/db` and `app/db` name the same secret). Refuses empty, `.` and `..` segments, the
 * reserved `.v` and `.sealbox` names, control characters, `\` and glob metacharacters.
 */
export function normalizeSecretPath(input: string): string {
  const path = input.startsWith('/') ? input.slice(1) : input
  const bad = (why: string): SealboxError =>
    new SealboxError('UsageError', `invalid secret path '${printable(input)}': ${why}`, {
      hint: "secret paths look like 'app/db-password': segments separated by '/'",
    })
  if (path.length === 0) throw bad('it is empty')
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) {
    throw bad(`it is longer than ${MAX_PATH_BYTES} bytes`)
  }
  if (FORBIDDEN.test(path)) throw bad('control characters, \\ and * ? [ ] { } are not allowed')
  if (/[\ud800-\udfff]/u.test(path)) throw bad('it is not valid unicode')
  const segments = path.split('/')
  for (const segment of segments) {
    if (segment === '') throw bad('it has an empty segment')
    if (segment === '.' || segment === '..') throw bad(`'${segment}' segments are not allowed`)
    if (segment === VERSIONS_SEGMENT) throw bad(`'${VERSIONS_SEGMENT}' is reserved for versions`)
    // a folder store keeps its temporary, lock and metadata files under such names
    if (segment.startsWith('.~')) throw bad("segments starting with '.~' are reserved")
  }
  if (segments[0] === RESERVED_ROOT) throw bad(`'${RESERVED_ROOT}' is reserved for the store`)
  return path
}

/** The path quoted for an error message, with control characters made visible. */
export function printable(text: string): string {
  const clipped = text.length > 200 ? `${text.slice(0, 200)}…` : text
  return clipped.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
