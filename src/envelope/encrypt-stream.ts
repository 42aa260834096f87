import { singleChunk, zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'
import {
  algorithmSuite,
  beginSeal,
  FINAL_FRAME_OVERHEAD,
  FrameChunker,
  MAX_FRAME_LENGTH,
  REGULAR_FRAME_OVERHEAD,
  SUITE_COMMIT,
  SUITE_COMMIT_SIGNED,
  type AlgorithmSuite,
  type SealSession,
} from '../format/index.js'
import { encryptionMaterials } from './materials.js'
import { DEFAULT_FRAME_LENGTH, type EncryptOptions } from './options.js'

export function frameLengthOf(options: EncryptOptions): number {
  const frameLength = options.frameLength ?? DEFAULT_FRAME_LENGTH
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > MAX_FRAME_LENGTH) {
    throw new SealboxError(
      'ValidationException',
      `the frame length must be a whole number of bytes from 1 to ${MAX_FRAME_LENGTH}, not ${frameLength}`,
    )
  }
  return frameLength
}

export function suiteOf(options: EncryptOptions): AlgorithmSuite {
  return algorithmSuite(options.signed === true ? SUITE_COMMIT_SIGNED : SUITE_COMMIT)!
}

/**
 * Starts one message: gets the materials (KMS or raw keys, or the cache), derives the message
 * key and authenticates the header. The data key is zeroed before this returns.
 */
export async function openSealSession(
  options: EncryptOptions,
  plaintextLength: number | undefined,
): Promise<SealSession> {
  const frameLength = frameLengthOf(options)
  const suite = suiteOf(options)
  const materials = await encryptionMaterials(options, suite, plaintextLength)
  try {
    return beginSeal({
      suite,
      encryptionContext: materials.encryptionContext,
      encryptedDataKeys: materials.encryptedDataKeys,
      frameLength,
      dataKey: materials.dataKey,
      ...(materials.signingKey === undefined ? {} : { signingKey: materials.signingKey }),
    })
  } finally {
    zero(materials.dataKey)
  }
}

/**
 * Encrypts a plaintext stream into one message: the header, then one buffer per frame, the final
 * frame with the footer. Memory stays at about one frame whatever the input size.
 */
export async function* encryptStream(
  source: AsyncIterable<Uint8Array>,
  options: EncryptOptions,
): AsyncGenerator<Uint8Array> {
  const declared = options.plaintextLength
  const session = await openSealSession(options, declared)
  const { sealer } = session
  const F = sealer.frameLength
  const chunker = new FrameChunker(F)
  try {
    yield session.headerBytes
    let total = 0
    let pending: Buffer[] = []
    const onRegular = (plaintext: Uint8Array): void => {
      const out = Buffer.allocUnsafe(F + REGULAR_FRAME_OVERHEAD)
      sealer.sealRegular(plaintext, out, 0)
      pending.push(out)
    }
    for await (const chunk of source) {
      total += chunk.length
      if (declared !== undefined && total > declared) {
        throw new SealboxError(
          'ValidationException',
          `the plaintext is longer than the declared ${declared} bytes`,
        )
      }
      chunker.push(chunk, onRegular)
      if (pending.length > 0) {
        const ready = pending
        pending = []
        for (const b of ready) yield b
      }
    }
    if (declared !== undefined && total !== declared) {
      throw new SealboxError(
        'ValidationException',
        `the plaintext has ${total} bytes, not the declared ${declared}`,
      )
    }
    const last = chunker.finish()
    const out = Buffer.allocUnsafe(last.length + FINAL_FRAME_OVERHEAD)
    sealer.sealFinal(last, out, 0)
    const tail = session.footer()
    yield tail.length === 0 ? out : Buffer.concat([out, tail])
  } finally {
    chunker.clear()
    session.close()
  }
}

/** Encrypts bytes held in memory into one message. */
export async function encryptBytes(
  plaintext: Uint8Array,
  options: EncryptOptions,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  const opts =
    options.cache !== undefined && options.plaintextLength === undefined
      ? { ...options, plaintextLength: plaintext.length }
      : options
  for await (const part of encryptStream(singleChunk(plaintext), opts)) parts.push(part)
  const out = Buffer.concat(parts)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

