// Whole messages built and opened with the format alone: a fixed data key stands in for a keyring.
import { utf8 } from '../../../src/bytes/index.js'
import { EcdsaSigningKey } from '../../../src/crypto/index.js'
import { toBase64, type EncryptionContext } from '../../../src/encoding/index.js'
import {
  algorithmSuite,
  beginOpen,
  beginSeal,
  DEFAULT_LIMITS,
  FINAL_FRAME_OVERHEAD,
  FrameChunker,
  parseHeader,
  PUBLIC_KEY_CONTEXT_KEY,
  REGULAR_FRAME_OVERHEAD,
  SUITE_COMMIT,
  SUITE_COMMIT_SIGNED,
  type DecodeLimits,
} from '../../../src/format/index.js'

export const DATA_KEY = new Uint8Array(32).map((_, i) => i + 1)

export function sealMessage(
  plaintext: Uint8Array,
  frameLength: number,
  options: {
    signed?: boolean
    context?: EncryptionContext
    chunks?: number[]
    dataKey?: Uint8Array
    messageId?: Uint8Array
  } = {},
): Uint8Array {
  const signed = options.signed === true
  const signingKey = signed ? EcdsaSigningKey.generate('P-384') : undefined
  const context = signingKey
    ? { ...options.context, [PUBLIC_KEY_CONTEXT_KEY]: toBase64(signingKey.publicKey) }
    : (options.context ?? {})
  const session = beginSeal({
    suite: algorithmSuite(signed ? SUITE_COMMIT_SIGNED : SUITE_COMMIT)!,
    encryptionContext: context,
    encryptedDataKeys: [
      { providerId: 'test', providerInfo: utf8('key'), ciphertext: Uint8Array.of(0) },
    ],
    frameLength,
    dataKey: options.dataKey ?? DATA_KEY,
    ...(signingKey === undefined ? {} : { signingKey }),
    ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
  })
  const parts: Uint8Array[] = [session.headerBytes]
  const chunker = new FrameChunker(frameLength)
  const onRegular = (pt: Uint8Array): void => {
    const out = new Uint8Array(frameLength + REGULAR_FRAME_OVERHEAD)
    session.sealer.sealRegular(pt, out, 0)
    parts.push(out)
  }
  for (const chunk of split(plaintext, options.chunks)) chunker.push(chunk, onRegular)
  const last = chunker.finish()
  const out = new Uint8Array(last.length + FINAL_FRAME_OVERHEAD)
  session.sealer.sealFinal(last, out, 0)
  parts.push(out, session.footer())
  session.close()
  return Buffer.concat(parts)
}

/** Opens a message pushing it in the given chunk sizes (cycled); returns the plaintext. */
export function openMessage(
  message: Uint8Array,
  options: { chunks?: number[]; limits?: DecodeLimits; dataKey?: Uint8Array } = {},
): Uint8Array {
  const limits = options.limits ?? DEFAULT_LIMITS
  const parsed = parseHeader(message, limits)
  if (!parsed.done) throw new Error('test message header incomplete')
  const decoder = beginOpen(
    parsed.header,
    parsed.body,
    message.subarray(0, parsed.length),
    options.dataKey ?? DATA_KEY,
    limits,
  )
  const out: Uint8Array[] = []
  for (const chunk of split(message.subarray(parsed.length), options.chunks))
    out.push(...decoder.push(chunk))
  out.push(...decoder.end())
  return Buffer.concat(out)
}

/** Cuts bytes into chunks of the given sizes, cycling through them (all at once when none). */
export function split(bytes: Uint8Array, sizes: number[] | undefined): Uint8Array[] {
  if (sizes === undefined || sizes.length === 0) return [bytes]
  const out: Uint8Array[] = []
  let pos = 0
  let i = 0
  while (pos < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!)
    out.push(bytes.subarray(pos, pos + n))
    pos += n
  }
  return out
}

export function pattern(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
