import type { ObjectStore } from '../../objects/types/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Settings } from './config.js'

/** The store a URL names (`s3://bucket/prefix`, a local folder URL), and the key inside it. */
export async function openObjectStore(
  _url: string,
  _settings: Settings,
): Promise<{ store: ObjectStore; key: string }> {
  throw new SealboxError('InternalError', 'object stores are not wired in yet')
}
