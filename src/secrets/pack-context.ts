import type { EncryptionContext } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'

export const PACK_CONTEXT_KEY = 'sealbox:pack'
export const PACK_CONTEXT_VALUE = 'tar'

/** The context of a pack: the caller's pairs plus the pack marker (`sealbox:` names are ours). */
export function packContext(context: EncryptionContext): EncryptionContext {
  for (const key of Object.keys(context)) {
    if (key.startsWith('sealbox:') || key.startsWith('aws-crypto-')) {
      throw new SealboxError('UsageError', `encryption context key '${key}' is reserved`)
    }
  }
  return { ...context, [PACK_CONTEXT_KEY]: PACK_CONTEXT_VALUE }
}
