import { SealboxError } from '../errors/index.js'
import { normalizeSecretPath, RESERVED_ROOT, VERSIONS_SEGMENT } from './secret-path.js'

/** Digits of a version number in an object key: keys sort in version order. */
export const VERSION_DIGITS = 10
export const MAX_VERSION = 10 ** VERSION_DIGITS - 1

/**
 * Where secrets live inside a store, under `prefix` (empty, or ending in `/`):
 *
 *   <prefix><path>/.v/<version, 10 digits>   one sealbox message per version (0 bytes: deleted)
 *   <prefix>.sealbox/rotation.json           the journal of an unfinished `rotate`
 *
 * A put is a conditional create of the next version's key, so two writers never both take the
 * same version. A secret's versions never share a key prefix with another secret's: a path may
 * not contain a `.v` segment.
 */
export class Layout {
  readonly prefix: string

  constructor(prefix: string) {
    if (prefix !== '' && !prefix.endsWith('/')) prefix = `${prefix}/`
    if (prefix.startsWith('/')) prefix = prefix.slice(1)
    this.prefix = prefix
  }

  /** Prefix of every version key of `path`. */
  versionsPrefix(path: string): string {
    return `${this.prefix}${path}/${VERSIONS_SEGMENT}/`
  }

  versionKey(path: string, version: number): string {
    if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
      throw new SealboxError(
        'UsageError',
        `invalid secret version ${version}: versions run from 1 to ${MAX_VERSION}`,
      )
    }
    return `${this.versionsPrefix(path)}${String(version).padStart(VERSION_DIGITS, '0')}`
  }

  get journalKey(): string {
    return `${this.prefix}${RESERVED_ROOT}/rotation.json`
  }

  /** The secret path and version a key names, or undefined for any other object. */
  parse(key: string): { path: string; version: number } | undefined {
    if (!key.startsWith(this.prefix)) return undefined
    const rest = key.slice(this.prefix.length)
    const marker = `/${VERSIONS_SEGMENT}/`
    const at = rest.lastIndexOf(marker)
    if (at <= 0) return undefined
    const digits = rest.slice(at + marker.length)
    if (digits.length !== VERSION_DIGITS || !/^[0-9]+$/.test(digits)) return undefined
    const version = Number(digits)
    if (version < 1) return undefined
    const path = rest.slice(0, at)
    // objects not written by sealbox (or planted ones) never pass for secrets
    if (!isSecretPath(path)) return undefined
    return { path, version }
  }
}

function isSecretPath(path: string): boolean {
  try {
    return normalizeSecretPath(path) === path
  } catch {
    return false
  }
}
