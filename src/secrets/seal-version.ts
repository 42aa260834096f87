import type { Clock } from '../clock/index.js'
import { encryptBytes, readHeader } from '../envelope/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectStore } from '../objects/types/index.js'
import { kmsKeyArns } from './kms-key-arns.js'
import type { Layout } from './layout.js'
import { secretContext } from './secret-context.js'
import { META_KEYS, META_ROTATION, META_SIZE, type SecretVersion } from './secret-version.js'

/**
 * Seals `value` as version `next` of `path` and creates it only if that version does not exist.
 * Throws PreconditionFailed when another writer took the version first.
 */
export async function sealVersion(
  deps: { objects: ObjectStore; layout: Layout; kms: KmsPort; clock: Clock },
  path: string,
  next: number,
  value: Uint8Array,
  keyIds: readonly string[],
  rotationId?: string,
): Promise<SecretVersion> {
  const key = deps.layout.versionKey(path, next)
  const sealed = await encryptBytes(value, {
    kms: deps.kms,
    keyIds: [...keyIds],
    encryptionContext: secretContext(path, next),
  })
  const keyArns = kmsKeyArns(await readHeader(sealed))
  const metadata: Record<string, string> = {
    [META_KEYS]: keyArns.join(' '),
    [META_SIZE]: String(value.length),
  }
  if (rotationId !== undefined) metadata[META_ROTATION] = rotationId
  const { etag } = await deps.objects.put(key, sealed, {
    ifNoneMatch: '*',
    metadata,
    contentLength: sealed.length,
  })
  // Without conditional writes the store checks before and after the write (its documented
  // fallback) and reports a writer it saw in between; one in the window itself can be lost.
  const modified = deps.clock.now()
  return {
    path,
    version: next,
    deleted: false,
    size: value.length,
    storedSize: sealed.length,
    modified,
    keyArns,
    etag,
  }
}
