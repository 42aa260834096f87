import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { decryptStream, type DecryptOptions } from '../../envelope/index.js'
import { SealboxError } from '../../errors/index.js'
import { decryptFile, writeAtomically } from '../../file/index.js'
import type { KmsPort } from '../../kms/types/index.js'
import type { Runtime } from '../runtime/index.js'
import { processIo, refuseTerminal, type CliIo } from './cli-io.js'
import { fileChunks } from './file-chunks.js'
import { inputSize } from './input-size.js'
import { interruptGuard } from './interrupt-guard.js'
import { lazyKms } from './lazy-kms.js'
import { loadRawKeys, parseContextFlags, parseCount } from './parse-flags.js'
import { progressBar } from './progress-bar.js'

export interface DecryptFlags {
  output?: string
  keyId?: string[]
  context?: string[]
  rawKey?: string[]
  force?: boolean
  anyContext?: boolean
  allowLegacy?: boolean
  maxEncryptedDataKeys?: string
}

const SUFFIX = '.sealed'

export async function runDecrypt(
  runtime: Runtime,
  file: string | undefined,
  flags: DecryptFlags,
  io: CliIo = processIo,
): Promise<void> {
  const input = file ?? '-'
  if (input === '-' && io.stdin.isTTY === true) {
    throw new SealboxError('UsageError', 'no input to decrypt', {
      hint: 'give a FILE, or pipe a message into sealbox decrypt -',
    })
  }
  let output = flags.output
  if (output === undefined) {
    if (input === '-') output = '-'
    else if (input.endsWith(SUFFIX) && input.length > SUFFIX.length)
      output = input.slice(0, -SUFFIX.length)
    else {
      throw new SealboxError(
        'UsageError',
        `cannot name the output for ${input}: it does not end in ${SUFFIX}`,
        {
          hint: 'give the output with -o FILE (or -o - for stdout)',
        },
      )
    }
  }
  if (flags.anyContext === true && (flags.context ?? []).length > 0) {
    throw new SealboxError('UsageError', '--any-context and --context cannot be combined', {
      hint: 'give every pair the message carries with --context, or none with --any-context',
    })
  }
  if (output === '-') refuseTerminal(io.stdout, 'decrypted data')
  const size = input === '-' ? 0 : await inputSize(input, 'decrypt')
  const rawKeys = await loadRawKeys(flags.rawKey)
  const kms = lazyKms(() => runtime.kms())
  const allowed = await resolveAliases(kms, flags.keyId ?? [])
  const options: DecryptOptions = {
    kms,
    rawKeys,
    ...(flags.anyContext === true ? {} : { expectedContext: parseContextFlags(flags.context) }),
    ...(allowed.length > 0 ? { allowedKeyIds: allowed } : {}),
    allowLegacy: flags.allowLegacy === true,
    ...(flags.maxEncryptedDataKeys === undefined
      ? {}
      : {
          limits: {
            maxEncryptedDataKeys: parseCount(
              flags.maxEncryptedDataKeys,
              '--max-encrypted-data-keys',
            ),
          },
        }),
  }
  try {
    if (input !== '-' && output !== '-') {
      const progress = progressBar(io.stderr, size, 'decrypting')
      const guard = interruptGuard()
      try {
        await decryptFile(input, output, {
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
      // Regular frames reach stdout as each verifies; a failure exits non-zero and the reader must
      // discard what it got. Use -o FILE for all-or-nothing output.
      await pipeline(
        Readable.from(decryptStream(source, options), { objectMode: false }),
        io.stdout,
        { end: false },
      )
    } else {
      const guard = interruptGuard()
      try {
        await writeAtomically(output, decryptStream(source, options), {
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

/**
 * Messages name key ARNs; an alias given with --key-id is resolved to the ARN of the key it
 * points to now (key ids and ARNs are matched as given).
 */
async function resolveAliases(kms: KmsPort, keyIds: string[]): Promise<string[]> {
  const out: string[] = []
  for (const keyId of keyIds) {
    if (keyId.startsWith('alias/') || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(keyId)) {
      out.push((await kms.describeKey({ keyId })).keyMetadata.arn)
    } else {
      out.push(keyId)
    }
  }
  return out
}
