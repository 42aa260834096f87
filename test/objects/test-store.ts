import { FsObjectStore } from '../../src/objects/fs/index.js'
import type { ObjectStore } from '../../src/objects/types/index.js'

/** What a child process needs to open the same store as its parent. */
export type TestStoreSpec =
  | { kind: 'fs'; root: string }
  | { kind: 's3'; bucket: string; endpoint: string; conditionalWrites: boolean }

export async function openTestStore(spec: TestStoreSpec): Promise<ObjectStore> {
  if (spec.kind === 'fs') return new FsObjectStore({ root: spec.root })
  const { S3ObjectStore } = await import('../../src/objects/s3/index.js')
  // the SDK's credential chain reads process.env
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: spec.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    SEALBOX_S3_CONDITIONAL_WRITES: spec.conditionalWrites ? '1' : '0',
  })
  return S3ObjectStore.open({ bucket: spec.bucket })
}
