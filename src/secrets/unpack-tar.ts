import type { EncryptionContext } from '../encoding/index.js'
import { decryptStream } from '../envelope/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { packContext } from './pack-context.js'

/**
 * The plaintext tar of a sealed pack, released frame by frame once each is verified. `context`
 * are the pairs it was packed with; every one must match.
 */
export async function* unpackTar(
  source: AsyncIterable<Uint8Array>,
  options: { kms: KmsPort; context?: EncryptionContext },
): AsyncGenerator<Uint8Array> {
  const expectedContext = packContext(options.context ?? {})
  try {
    yield* decryptStream(source, { kms: options.kms, expectedContext })
  } catch (e) {
    if (!isSealboxError(e, 'ContextMismatch')) throw e
    throw new SealboxError('ContextMismatch', e.message, {
      cause: e,
      hint: 'this is not a secrets pack, or it was packed with other --context pairs: give unpack the same pairs',
    })
  }
}
