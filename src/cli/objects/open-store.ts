import type { ObjectStore } from '../../objects/types/index.js'
import type { Runtime } from '../runtime/index.js'

/**
 * The store and key a URL names, for cp, ls and rm. A `local://` bucket behaves as an S3 one
 * does: reading, listing or removing in a bucket that does not exist fails with
 * `BucketNotFound`; copying into it creates it.
 */
export async function openStore(
  runtime: Runtime,
  url: string,
): Promise<{ store: ObjectStore; key: string }> {
  const opened = await runtime.objectStore(url)
  if (!url.startsWith('local://')) return opened
  const { FsObjectStore } = await import('../../objects/fs/index.js')
  return opened.store instanceof FsObjectStore
    ? { store: opened.store.asBucket(), key: opened.key }
    : opened
}
