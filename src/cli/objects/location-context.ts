import { readHeader } from '../../envelope/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import type { ObjectStore } from '../../objects/types/index.js'
import { parseContextFlags } from '../file/parse-flags.js'

export const BUCKET_KEY = 'sealbox:bucket'
export const OBJECT_KEY = 'sealbox:key'

/** The encryption context of an object: where it lives, plus the user's `--context` pairs. */
export function locationContext(
  bucket: string,
  key: string,
  contextFlags: readonly string[] | undefined,
): Record<string, string> {
  const user = parseContextFlags(contextFlags)
  for (const name of Object.keys(user)) {
    if (name.startsWith('sealbox:') || name.startsWith('aws-crypto-')) {
      throw new SealboxError(
        'UsageError',
        `--context '${name}' uses a reserved prefix (sealbox:, aws-crypto-)`,
      )
    }
  }
  return { ...user, [BUCKET_KEY]: bucket, [OBJECT_KEY]: key }
}

/**
 * Turns a context mismatch into `WrongLocation` when the message was sealed for another bucket
 * or key (read from its header, which is not authenticated until decryption: it only names the
 * place in the message). Other failures are returned unchanged.
 */
export async function explainMismatch(
  error: unknown,
  store: ObjectStore,
  url: string,
  bucket: string,
  key: string,
): Promise<unknown> {
  if (!isSealboxError(error, 'ContextMismatch')) return error
  let sealedFor: Record<string, string>
  try {
    const { body } = await store.get(key, { range: { start: 0, end: 64 * 1024 - 1 } })
    sealedFor = (await readHeader(body)).encryptionContext
  } catch {
    return error
  }
  const otherBucket = sealedFor[BUCKET_KEY]
  const otherKey = sealedFor[OBJECT_KEY]
  if (otherBucket === bucket && otherKey === key) return error
  const where =
    otherBucket === undefined || otherKey === undefined
      ? 'no sealbox location (it was not written by sealbox cp)'
      : `bucket '${otherBucket}', key '${otherKey}'`
  return new SealboxError(
    'WrongLocation',
    `${url} was sealed for another location: ${where}; an object copied or renamed is not decrypted`,
    {
      cause: error,
      hint: `copy it from where it was sealed with sealbox cp, which re-encrypts it for the new place`,
    },
  )
}
