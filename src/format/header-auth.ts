import type { GcmKey } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import { IV_BYTES, TAG_BYTES } from './algorithm-suite.js'
import type { MessageHeader } from './message-header.js'

const ZERO_IV = new Uint8Array(IV_BYTES)
const EMPTY = new Uint8Array(0)

/**
 * The header tag: AES-GCM under the message key with IV 0, empty plaintext and the serialized
 * header body as AAD (client-apis/encrypt.md, "Construct the header"). IV 0 never collides
 * with a frame IV, which start at sequence number 1.
 */
export function headerTag(key: GcmKey, headerBody: Uint8Array): Uint8Array {
  const out = new Uint8Array(TAG_BYTES)
  key.sealInto(ZERO_IV, headerBody, EMPTY, out, 0)
  return out
}

/** Verifies the header tag (v1 with its stored IV, v2 with IV 0); throws `HeaderAuthFailed`. */
export function verifyHeaderTag(key: GcmKey, header: MessageHeader, headerBody: Uint8Array): void {
  const iv = header.version === 1 ? header.headerIv : ZERO_IV
  if (key.open(iv, headerBody, EMPTY, header.headerTag) === undefined) {
    throw new SealboxError(
      'HeaderAuthFailed',
      'the message header failed authentication: its fields were altered (or the data key is not the one it was written with)',
    )
  }
}
