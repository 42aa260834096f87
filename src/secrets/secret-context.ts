import { SealboxError } from '../errors/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { printable } from './secret-path.js'

export const SECRET_CONTEXT_KEY = 'sealbox:secret'
export const VERSION_CONTEXT_KEY = 'sealbox:version'

/**
 * The encryption context of one secret version. The path and the version are bound into the
 * message (and, through the KMS, into its data key), so a message copied to another path or
 * version, or an older version restored over a newer one, is refused.
 */
export function secretContext(path: string, version: number): EncryptionContext {
  return { [SECRET_CONTEXT_KEY]: path, [VERSION_CONTEXT_KEY]: String(version) }
}

/** The error for a message found at `path` version `version` that was sealed for somewhere else. */
export function wrongLocation(
  path: string,
  version: number,
  found: EncryptionContext,
): SealboxError {
  const sealedPath = found[SECRET_CONTEXT_KEY]
  const sealedVersion = found[VERSION_CONTEXT_KEY]
  const here = `secret '${printable(path)}' version ${version}`
  const hint = `put the value again, or restore an earlier version with 'sealbox secrets rollback ${path} N'`
  if (sealedPath === undefined) {
    return new SealboxError(
      'WrongLocation',
      `${here} holds a message that was not sealed as a secret (its context has no '${SECRET_CONTEXT_KEY}'); it is refused`,
      { hint },
    )
  }
  const there =
    sealedPath === path
      ? `version ${sealedVersion ?? '?'} of the same secret`
      : `'${printable(sealedPath)}' version ${sealedVersion ?? '?'}`
  return new SealboxError(
    'WrongLocation',
    `${here} holds a value sealed for ${there}: it was copied or swapped into this place and is refused`,
    { hint },
  )
}

/** True when `found` is exactly the context of `path` at `version` (extra pairs allowed). */
export function isSecretContext(found: EncryptionContext, path: string, version: number): boolean {
  return found[SECRET_CONTEXT_KEY] === path && found[VERSION_CONTEXT_KEY] === String(version)
}
