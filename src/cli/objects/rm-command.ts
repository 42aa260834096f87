import { isSealboxError, SealboxError } from '../../errors/index.js'
import { printWarning } from '../output.js'
import { processIo, type CliIo } from '../file/cli-io.js'
import type { Runtime } from '../runtime/index.js'

export interface RmFlags {
  recursive?: boolean
}

const PARALLEL = 8

/**
 * `sealbox rm URL`: one object; with `--recursive`, every object under the prefix, each
 * removed only if it is still the version listed (a replacement made meanwhile is kept and
 * reported). Prints `removed URL` per object.
 */
export async function runRm(
  runtime: Runtime,
  url: string,
  flags: RmFlags,
  io: CliIo = processIo,
): Promise<void> {
  const { store, key } = await runtime.objectStore(url, { bucket: true })
  const base = url.slice(0, url.length - key.length)
  if (flags.recursive !== true) {
    if (key === '' || key.endsWith('/')) {
      throw new SealboxError('UsageError', `${url} names a folder, not an object`, {
        hint: 'pass --recursive to remove every object under it',
      })
    }
    await store.delete(key)
    io.stdout.write(`removed ${base}${key}\n`)
    return
  }
  let removed = 0
  let kept = 0
  for await (const page of store.list({ prefix: key })) {
    for (let at = 0; at < page.objects.length; at += PARALLEL) {
      const batch = page.objects.slice(at, at + PARALLEL)
      const results = await Promise.all(
        batch.map((o) =>
          store.delete(o.key, { ifMatch: o.etag }).then(
            () => 'removed' as const,
            (e: unknown) => {
              if (isSealboxError(e, 'ObjectNotFound')) return 'gone' as const
              if (isSealboxError(e, 'PreconditionFailed')) return 'changed' as const
              throw e
            },
          ),
        ),
      )
      results.forEach((r, i) => {
        const where = `${base}${batch[i]!.key}`
        if (r === 'removed') {
          removed++
          io.stdout.write(`removed ${where}\n`)
        } else if (r === 'changed') {
          kept++
          printWarning(`kept ${where}: it was replaced while being removed`, io.stderr)
        }
      })
    }
  }
  if (removed === 0 && kept === 0) {
    throw new SealboxError('ObjectNotFound', `no objects under ${url}`)
  }
}
