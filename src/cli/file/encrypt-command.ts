import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { encryptStream, type EncryptOptions } from '../../envelope/index.js'
import { SealboxError } from '../../errors/index.js'
import { encryptFile, writeAtomically } from '../../file/index.js'
import type { Runtime } from '../runtime/index.js'
import { processIo, refuseTerminal, type CliIo } from './cli-io.js'
import { fileChunks } from './file-chunks.js'
import { inputSize } from './input-size.js'
import { interruptGuard } from './interrupt-guard.js'
import { lazyKms } from './lazy-kms.js'
import { FRAME_SIZE_RANGE, loadRawKeys, parseContextFlags, parseSize } from './parse-flags.js'
import { progressBar } from './progress-bar.js'

export interface EncryptFlags {
  output?: string
  keyId?: string[]
  context?: string[]
  frameSize?: string
  signed?: boolean
  rawKey?: string[]
  force?: boolean
}

export async function runEncrypt(
  runtime: Runtime,
  file: string | undefined,
  flags: EncryptFlags,
  io: CliIo = processIo,
): Promise<void> {
  const input = file ?? '-'
  if (input === '-' && io.stdin.isTTY === true) {
    throw new SealboxError('UsageError', 'no input to encrypt', {
      hint: 'give a FILE, or pipe data into sealbox encrypt -',
    })
  }
  const output = flags.output ?? (input === '-' ? '-' : `${input}.sealed`)
  if (output === '-') refuseTerminal(io.stdout, 'an encrypted message')
  const size = input === '-' ? 0 : await inputSize(input, 'encrypt')
  const rawKeys = await loadRawKeys(flags.rawKey)
  const keyIds =
    (flags.keyId ?? []).length > 0
      ? flags.keyId!
      : rawKeys.length > 0
        ? []
        : [await runtime.defaultKeyId()]
  const options: EncryptOptions = {
    ...(keyIds.length > 0 ? { kms: lazyKms(() => runtime.kms()), keyIds } : {}),
    rawKeys,
    encryptionContext: parseContextFlags(flags.context),
    ...(flags.frameSize === undefined
      ? {}
      : { frameLength: parseSize(flags.frameSize, '--frame-size', FRAME_SIZE_RANGE) }),
    signed: flags.signed === true,
  }
  try {
    if (input !== '-' && output !== '-') {
      const progress = progressBar(io.stderr, size, 'encrypting')
      const guard = interruptGuard()
      try {
        await encryptFile(input, output, {
          ...options,
          force: flags.force === true,
          onProgress: progress.update,
          onStart: guard.onStart,
        })
      } finally {
        progress.finish()
        guard.release()
      }
      return
    }
    const source: AsyncIterable<Uint8Array> = input === '-' ? io.stdin : fileChunks(input)
    if (output === '-') {
      await pipeline(
        Readable.from(encryptStream(source, options), { objectMode: false }),
        io.stdout,
        { end: false },
      )
    } else {
      const guard = interruptGuard()
      try {
        await writeAtomically(output, encryptStream(source, options), {
          force: flags.force === true,
          onStart: guard.onStart,
        })
      } finally {
        guard.release()
      }
    }
  } finally {
    for (const k of rawKeys) k.destroy()
  }
}
