import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { decryptStream, encryptStream } from '../../envelope/index.js'
import { SealboxError } from '../../errors/index.js'
import { writeAtomically } from '../../file/index.js'
import type { KmsPort } from '../../kms/types/index.js'
import type { ObjectStore, PutOptions } from '../../objects/types/index.js'
import { processIo, refuseTerminal, type CliIo } from '../file/cli-io.js'
import { fileChunks } from '../file/file-chunks.js'
import { interruptGuard } from '../file/interrupt-guard.js'
import { progressBar } from '../file/progress-bar.js'
import type { Runtime } from '../runtime/index.js'
import { isStoreUrl, parseStoreUrl } from '../runtime/object-store.js'
import { abortOnInterrupt } from './abort-on-interrupt.js'
import { explainMismatch, locationContext } from './location-context.js'

export interface CpFlags {
  keyId?: string[]
  context?: string[]
  force?: boolean
}

interface StoreEnd {
  url: string
  store: ObjectStore
  bucket: string
  key: string
}

/**
 * `sealbox cp SRC DST`: into a store encrypts, out of a store decrypts, store to store
 * re-encrypts for the new location. Every object's context binds its bucket and key.
 */
export async function runCp(
  runtime: Runtime,
  src: string,
  dst: string,
  flags: CpFlags,
  io: CliIo = processIo,
): Promise<void> {
  const fromStore = isStoreUrl(src)
  const toStore = isStoreUrl(dst)
  if (!fromStore && !toStore) {
    throw new SealboxError('UsageError', 'neither side of cp is a store URL', {
      hint: 'copy into or out of s3://bucket/key or local://bucket/key; use sealbox encrypt for local files',
    })
  }
  if (!fromStore) {
    const target = await openEnd(runtime, dst, src === '-' ? undefined : basename(src))
    await upload(runtime, src, target, flags, io)
    return
  }
  const source = await openEnd(runtime, src, undefined)
  if (!toStore) {
    await download(runtime, source, dst, flags, io)
    return
  }
  const target = await openEnd(runtime, dst, basename(source.key))
  await copyBetween(runtime, source, target, flags, io)
}

async function openEnd(
  runtime: Runtime,
  url: string,
  nameIfFolder: string | undefined,
): Promise<StoreEnd> {
  const { bucket } = parseStoreUrl(url)
  const { store, key: given } = await runtime.objectStore(url, { bucket: true })
  let key = given
  if (key === '' || key.endsWith('/')) {
    if (nameIfFolder === undefined) {
      throw new SealboxError('UsageError', `${url} names a folder, not an object`, {
        hint: 'give the object key in full: s3://bucket/path/name',
      })
    }
    key = `${key}${nameIfFolder}`
  }
  return { url: `${url.slice(0, url.indexOf('://') + 3)}${bucket}/${key}`, store, bucket, key }
}

/** The precondition that keeps a concurrent writer's version: the etag seen now, or "absent". */
async function claim(target: StoreEnd, force: boolean): Promise<PutOptions> {
  const current = await target.store.head(target.key)
  if (current === undefined) return { ifNoneMatch: '*' }
  if (!force) {
    throw new SealboxError('AlreadyExists', `${target.url} already exists`, {
      hint: 'pass --force to replace it (it is still refused if it changes meanwhile)',
    })
  }
  return { ifMatch: current.etag }
}

async function keyIds(
  runtime: Runtime,
  flags: CpFlags,
): Promise<{ kms: KmsPort; keyIds: string[] }> {
  const given = flags.keyId ?? []
  const first = await runtime.defaultKeyId(given[0])
  return { kms: await runtime.kms(), keyIds: [first, ...given.slice(1)] }
}

async function upload(
  runtime: Runtime,
  src: string,
  target: StoreEnd,
  flags: CpFlags,
  io: CliIo,
): Promise<void> {
  if (src === '-' && io.stdin.isTTY === true) {
    throw new SealboxError('UsageError', 'no input to copy', {
      hint: 'give a FILE, or pipe data into sealbox cp -',
    })
  }
  let total = 0
  if (src !== '-') {
    const info = await stat(src)
    if (info.isDirectory()) {
      throw new SealboxError('UsageError', `${src} is a folder: cp copies one file`)
    }
    total = info.size
  }
  const context = locationContext(target.bucket, target.key, flags.context)
  const precondition = await claim(target, flags.force === true)
  const { kms, keyIds: ids } = await keyIds(runtime, flags)
  const progress = progressBar(io.stderr, total, 'uploading')
  try {
    const plaintext = src === '-' ? (io.stdin as AsyncIterable<Uint8Array>) : fileChunks(src)
    const sealed = encryptStream(counted(plaintext, progress.update, total), {
      kms,
      keyIds: ids,
      encryptionContext: context,
    })
    await abortOnInterrupt(
      (signal) => target.store.put(target.key, sealed, { ...precondition, signal }),
      { stderr: io.stderr, beforeExit: progress.finish },
    )
  } finally {
    progress.finish()
  }
}

async function download(
  runtime: Runtime,
  source: StoreEnd,
  dst: string,
  flags: CpFlags,
  io: CliIo,
): Promise<void> {
  let output = dst
  if (output !== '-') {
    const existing = await stat(output).catch(() => undefined)
    if (existing?.isDirectory() === true) output = join(output, basename(source.key))
  } else {
    refuseTerminal(
      io.stdout,
      'decrypted data',
      'give an output FILE as the destination, or redirect the output (> FILE, | command)',
    )
  }
  const expectedContext = locationContext(source.bucket, source.key, flags.context)
  const { info, body } = await source.store.get(source.key)
  const progress = progressBar(io.stderr, info.size, 'downloading')
  const plaintext = decryptStream(counted(body, progress.update, info.size), {
    kms: await runtime.kms(),
    expectedContext,
  })
  try {
    if (output === '-') {
      // frames reach stdout as each verifies; on failure the exit status says to discard them
      await pipeline(Readable.from(plaintext, { objectMode: false }), io.stdout, { end: false })
    } else {
      const guard = interruptGuard()
      try {
        await writeAtomically(output, plaintext, {
          force: flags.force === true,
          onStart: guard.onStart,
        })
      } finally {
        guard.release()
      }
    }
  } catch (e) {
    if (output === '-' && (e as NodeJS.ErrnoException).code === 'EPIPE') {
      // a pipeline reader that stops early (| head) must show in the exit status (pipefail)
      throw new SealboxError(
        'IoError',
        `stdout was closed before all of ${source.url} was written`,
        { cause: e },
      )
    }
    throw await explainMismatch(e, source.store, source.url, source.bucket, source.key)
  } finally {
    progress.finish()
  }
}

async function copyBetween(
  runtime: Runtime,
  source: StoreEnd,
  target: StoreEnd,
  flags: CpFlags,
  io: CliIo,
): Promise<void> {
  const expectedContext = locationContext(source.bucket, source.key, flags.context)
  const context = locationContext(target.bucket, target.key, flags.context)
  const precondition = await claim(target, flags.force === true)
  const { kms, keyIds: ids } = await keyIds(runtime, flags)
  const { info, body } = await source.store.get(source.key)
  const progress = progressBar(io.stderr, info.size, 'copying')
  try {
    const plaintext = decryptStream(counted(body, progress.update, info.size), {
      kms,
      expectedContext,
    })
    const sealed = encryptStream(plaintext, { kms, keyIds: ids, encryptionContext: context })
    await abortOnInterrupt(
      (signal) => target.store.put(target.key, sealed, { ...precondition, signal }),
      { stderr: io.stderr, beforeExit: progress.finish },
    )
  } catch (e) {
    throw await explainMismatch(e, source.store, source.url, source.bucket, source.key)
  } finally {
    progress.finish()
  }
}

async function* counted(
  chunks: AsyncIterable<Uint8Array>,
  update: (done: number, total: number) => void,
  total: number,
): AsyncGenerator<Uint8Array> {
  let done = 0
  for await (const chunk of chunks) {
    done += chunk.length
    update(done, total)
    yield chunk
  }
}
