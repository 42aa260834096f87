import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { S3ObjectStore } from '../../src/objects/s3/index.js'
import {
  MOTO_MISSING,
  motoAvailable,
  startMoto,
  startS3rver,
  type S3Server,
} from '../helpers/s3-server.js'
import { listAll, objectStoreConformance } from './conformance-suite.js'

const servers: S3Server[] = []
after(async () => {
  for (const s of servers) await s.stop()
})

// dummy credentials for the SDK's chain; the endpoint is given per store
Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
})

function storeOn(server: S3Server, extra: Record<string, string> = {}): S3ObjectStore {
  return new S3ObjectStore({
    bucket: server.bucket,
    env: { ...process.env, ...server.env, ...extra },
  })
}

let s3rver: S3Server | undefined
objectStoreConformance({
  name: 's3rver through @aws-sdk/client-s3',
  open: async () => {
    s3rver = await startS3rver()
    servers.push(s3rver)
    return storeOn(s3rver)
  },
  childStore: () => ({
    kind: 's3',
    bucket: s3rver!.bucket,
    endpoint: s3rver!.endpoint,
    conditionalWrites: false,
  }),
  manyKeys: { count: 120, pageSize: 25 },
  unsortedListing: 's3rver lists a/x before a-b',
  skipRaces:
    's3rver ignores If-None-Match / If-Match; its fallback (head, put, re-check) has a documented race window',
})

if (motoAvailable()) {
  let moto: S3Server | undefined
  objectStoreConformance({
    name: 'moto_server (conditional writes)',
    subset: 'conditional',
    raceWriters: 4,
    open: async () => {
      moto = (await startMoto())!
      servers.push(moto)
      const store = storeOn(moto)
      assert.equal(await store.probeConditionalWrites(), true)
      return store
    },
    childStore: () => ({
      kind: 's3',
      bucket: moto!.bucket,
      endpoint: moto!.endpoint,
      conditionalWrites: true,
    }),
  })
} else {
  void test(
    'object store conformance: moto_server (conditional writes)',
    { skip: MOTO_MISSING },
    () => {},
  )
}

void describe('S3 store specifics (s3rver)', () => {
  void test('the probe finds that s3rver does not honour conditional writes, once, and leaves nothing', async () => {
    const server = s3rver ?? (await startS3rver())
    if (s3rver === undefined) servers.push(server)
    const store = storeOn(server)
    assert.equal(store.supportsConditionalWrites, false)
    assert.equal(await store.probeConditionalWrites(), false)
    assert.equal(store.supportsConditionalWrites, false)
    const raw = await listAll(store, {})
    assert.ok(raw.keys.every((k) => !k.includes('.~probe')))
    // declared support skips the probe (and s3rver then overwrites: the declaration is trusted)
    const declared = storeOn(server, { SEALBOX_S3_CONDITIONAL_WRITES: '1' })
    assert.equal(declared.supportsConditionalWrites, true)
    const declaredOff = storeOn(server, { SEALBOX_S3_CONDITIONAL_WRITES: '0' })
    assert.equal(await declaredOff.probeConditionalWrites(), false)
  })

  void test('a missing bucket and refused credentials are told apart', async () => {
    const server = s3rver!
    const nobucket = new S3ObjectStore({
      bucket: 'no-such-bucket',
      env: { ...process.env, ...server.env },
    })
    await assert.rejects(nobucket.put('k', Buffer.from('x')), { code: 'BucketNotFound' })
    await assert.rejects(
      (async () => {
        for await (const page of nobucket.list({})) void page
      })(),
      { code: 'BucketNotFound' },
    )
    const unreachable = new S3ObjectStore({
      bucket: server.bucket,
      env: { ...process.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' },
    })
    await assert.rejects(unreachable.head('k'), { code: 'IoError' })
  })
})
