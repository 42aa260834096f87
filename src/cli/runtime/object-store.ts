import { join, resolve } from 'node:path'
import type { ObjectStore } from '../../objects/types/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Settings } from './config.js'

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/**
 * The store a URL names, and the key (or prefix) inside it:
 *
 *   s3://bucket/key      an S3 bucket (any S3-compatible endpoint: see objects/s3)
 *   local://bucket/key   the folder `$SEALBOX_HOME/buckets/<bucket>/` (`SEALBOX_LOCAL_BUCKETS`
 *                        puts the buckets elsewhere); the bucket folder is made on first write
 *
 * Stores are cached per process, so one probe of an S3 endpoint serves every command.
 */
export interface OpenObjectStoreOptions {
  /**
   * A `local://` bucket behaves as an S3 one does: reading, listing or removing in a bucket that
   * does not exist fails with `BucketNotFound` (a put still creates it). Without it a missing
   * folder is an empty store, as the default secrets location wants on a fresh home.
   */
  bucket?: boolean
}

export async function openObjectStore(
  url: string,
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenObjectStoreOptions = {},
): Promise<{ store: ObjectStore; key: string }> {
  const parsed = parseStoreUrl(url)
  if (parsed.scheme === 'local') {
    const buckets = resolve(env['SEALBOX_LOCAL_BUCKETS'] || join(settings.home, 'buckets'))
    const { FsObjectStore } = await import('../../objects/fs/index.js')
    const store = new FsObjectStore({
      root: join(buckets, parsed.bucket),
      location: `local://${parsed.bucket}/`,
      bucket: options.bucket === true,
    })
    return { store, key: parsed.key }
  }
  // the SDK's notice about future Node versions is not the user's business on every command
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
  const { S3ObjectStore } = await import('../../objects/s3/index.js')
  const store = await S3ObjectStore.open({
    bucket: parsed.bucket,
    ...(settings.region === undefined ? {} : { region: settings.region }),
    env,
  })
  return { store, key: parsed.key }
}

export interface StoreUrl {
  scheme: 'local' | 's3'
  bucket: string
  key: string
}

/** True for `s3://…` and `local://…`; anything else is a local path (or `-`). */
export function isStoreUrl(text: string): boolean {
  return /^(s3|local):\/\//.test(text)
}

export function parseStoreUrl(url: string): StoreUrl {
  const match = /^(s3|local):\/\/([^/]*)\/?(.*)$/s.exec(url)
  if (match === null) {
    throw new SealboxError('UsageError', `'${url}' is not a store URL`, {
      hint: 'use s3://bucket/key or local://bucket/key',
    })
  }
  const scheme = match[1] as 's3' | 'local'
  const bucket = match[2]!
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new SealboxError(
      'UsageError',
      `'${bucket}' in '${url}' is not a valid bucket name: 3 to 63 lowercase letters, digits, dots and hyphens`,
    )
  }
  return { scheme, bucket, key: match[3]! }
}
