import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KeyringNode,
} from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import {
  decryptBytes,
  decryptStream,
  encryptBytes,
  encryptStream,
  RawAesKey,
} from '../../src/envelope/index.js'
import { isSealboxError } from '../../src/errors/index.js'
import { Runtime } from '../../src/cli/runtime/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import type { KmsPort } from '../../src/kms/types/index.js'
import { esdkKmsClient } from './support/esdk-kms-client.js'
import { startMoto } from './support/moto.js'
import { pattern } from './support/messages.js'

// Interop in both directions with the official AWS Encryption SDK for JavaScript.
const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const SUITES = [0x0478, 0x0578] as const
const esdkSuite = (id: number) => id as AlgorithmSuiteIdentifier

const wrapping = [new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(0x22)]
const ours = wrapping.map((k, i) => new RawAesKey('interop', `key-${i}`, k))
const theirs = (i: number, utf8Sorting?: boolean): RawAesKeyringNode =>
  new RawAesKeyringNode({
    keyNamespace: 'interop',
    keyName: `key-${i}`,
    unencryptedMasterKey: new Uint8Array(wrapping[i]!), // the SDK takes ownership and zeroes its copy
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    ...(utf8Sorting === undefined ? {} : { utf8Sorting }),
  })

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

const context = { purpose: 'interop', tenant: 'acme' }

void describe('interop with @aws-crypto/client-node: raw AES keys', () => {
  for (const suiteId of SUITES) {
    for (const frameLength of [512, 4096, 65536]) {
      void test(`suite 0x0${suiteId.toString(16)}, frame ${frameLength}: both directions, sizes around the frame`, async () => {
        for (const size of [0, 1, frameLength, frameLength + 1, 2 * frameLength + 7]) {
          const pt = pattern(size, frameLength + size)
          const sealed = await encryptBytes(pt, {
            rawKeys: [ours[0]!],
            encryptionContext: context,
            frameLength,
            signed: suiteId === 0x0578,
          })
          const opened = await esdk.decrypt(theirs(0), sealed)
          assert.deepEqual(opened.plaintext, Buffer.from(pt), `sealbox -> SDK, ${size} bytes`)
          assert.equal(opened.messageHeader.suiteId, suiteId)
          assert.equal(opened.messageHeader.frameLength, frameLength)

          const { result } = await esdk.encrypt(theirs(0), pt, {
            encryptionContext: context,
            frameLength,
            suiteId: esdkSuite(suiteId),
          })
          const back = await decryptBytes(result, { rawKeys: [ours[0]!], expectedContext: context })
          assert.deepEqual(
            Buffer.from(back.plaintext),
            Buffer.from(pt),
            `SDK -> sealbox, ${size} bytes`,
          )
          const streamed = await collect(
            decryptStream(chunked(result, 777), { rawKeys: [ours[0]!], expectedContext: context }),
          )
          assert.deepEqual(streamed, Buffer.from(pt), `SDK -> sealbox stream, ${size} bytes`)
        }
      })
    }
  }

  void test('several keys: each side opens with any one of them', async () => {
    const pt = pattern(10_000)
    for (const signed of [false, true]) {
      const sealed = await collect(
        encryptStream(chunked(pt, 3000), {
          rawKeys: ours,
          encryptionContext: context,
          frameLength: 4096,
          signed,
        }),
      )
      for (const i of [0, 1])
        assert.deepEqual((await esdk.decrypt(theirs(i), sealed)).plaintext, Buffer.from(pt))
      const multi: KeyringNode = new MultiKeyringNode({
        generator: theirs(0),
        children: [theirs(1)],
      })
      const { result } = await esdk.encrypt(multi, pt, {
        encryptionContext: context,
        frameLength: 1000,
      })
      for (const k of ours)
        assert.deepEqual(
          Buffer.from((await decryptBytes(result, { rawKeys: [k] })).plaintext),
          Buffer.from(pt),
        )
    }
  })

  void test('non-ASCII and mixed-case context keys: the SDK sorts its raw-key AAD by locale (its #428) unless utf8Sorting', async () => {
    const mixed = { b: '1', B: '2', ключ: 'значение', '\uFF21': 'x', '\u{10000}': 'y' }
    const pt = pattern(3000)
    const { result } = await esdk.encrypt(theirs(0), pt, {
      encryptionContext: mixed,
      frameLength: 1024,
    })
    assert.deepEqual(
      Buffer.from(
        (await decryptBytes(result, { rawKeys: [ours[0]!], expectedContext: mixed })).plaintext,
      ),
      Buffer.from(pt),
    )
    const sealed = await encryptBytes(pt, {
      rawKeys: [ours[0]!],
      encryptionContext: mixed,
      frameLength: 1024,
    })
    assert.deepEqual(
      (await esdk.decrypt(theirs(0, true), sealed)).plaintext,
      Buffer.from(pt),
      'read by the SDK with utf8Sorting',
    )
  })
})

void describe('interop with @aws-crypto/client-node: KMS keys (moto_server)', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>
  let kms: AwsKms
  let client: KMS
  let arns: string[] = []

  before(async () => {
    moto = await startMoto()
    if (moto === undefined) return
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
    kms = new AwsKms({ endpoint: moto.endpoint, region: 'eu-west-1', credentials })
    client = new KMS({ endpoint: moto.endpoint, region: 'eu-west-1', credentials })
    arns = [
      (await kms.port.createKey({})).keyMetadata.arn,
      (await kms.port.createKey({})).keyMetadata.arn,
    ]
  })
  after(async () => {
    kms?.close()
    client?.destroy()
    await moto?.stop()
  })

  const skip = (t: { skip: (reason: string) => void }): boolean => {
    if (moto !== undefined) return false
    t.skip('moto_server is not installed')
    return true
  }

  for (const suiteId of SUITES) {
    for (const frameLength of [4096, 262_144]) {
      void test(`suite 0x0${suiteId.toString(16)}, frame ${frameLength}: sealbox and the SDK's KMS keyring read each other, one and two keys`, async (t) => {
        if (skip(t)) return
        const pt = pattern(3 * frameLength + 11)
        const sdkKeyring = (
          generatorKeyId: string | undefined,
          keyIds: string[],
          viaPort: boolean,
        ): KmsKeyringNode =>
          new KmsKeyringNode({
            ...(generatorKeyId === undefined ? {} : { generatorKeyId }),
            keyIds,
            // The SDK's client type is pinned to its own @aws-sdk/client-kms version; the shape is what counts.
            clientProvider: (() => (viaPort ? esdkKmsClient(kms.port) : client)) as never,
          })
        for (const keyIds of [[arns[0]!], arns]) {
          const sealed = await encryptBytes(pt, {
            kms: kms.port,
            keyIds,
            encryptionContext: context,
            frameLength,
            signed: suiteId === 0x0578,
          })
          for (const arn of keyIds) {
            for (const viaPort of [false, true]) {
              const opened = await esdk.decrypt(sdkKeyring(undefined, [arn], viaPort), sealed)
              assert.deepEqual(
                opened.plaintext,
                Buffer.from(pt),
                `SDK opens with ${arn} (through the sealbox port: ${viaPort})`,
              )
            }
          }
          const [generator, ...rest] = keyIds
          for (const viaPort of [false, true]) {
            const { result } = await esdk.encrypt(sdkKeyring(generator, rest, viaPort), pt, {
              encryptionContext: context,
              frameLength,
              suiteId: esdkSuite(suiteId),
            })
            for (const arn of keyIds) {
              const back = await decryptBytes(result, {
                kms: kms.port,
                allowedKeyIds: [arn],
                expectedContext: context,
              })
              assert.deepEqual(Buffer.from(back.plaintext), Buffer.from(pt))
            }
          }
        }
      })
    }
  }

  void test('limits and the expected context are checked before any KMS call; disallowed keys are never asked', async (t) => {
    if (skip(t)) return
    let calls = 0
    const counting = new Proxy(kms.port, {
      get(target, name: string) {
        const fn = (target as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name]!
        return (input: unknown) => {
          calls++
          return fn.call(target, input)
        }
      },
    }) as KmsPort
    const sealed = await encryptBytes(pattern(100), {
      kms: kms.port,
      keyIds: arns,
      encryptionContext: context,
    })
    await assert.rejects(
      decryptBytes(sealed, { kms: counting, limits: { maxEncryptedDataKeys: 1 } }),
      (e: unknown) => isSealboxError(e, 'LimitExceeded'),
    )
    await assert.rejects(
      decryptBytes(sealed, { kms: counting, expectedContext: { tenant: 'other' } }),
      (e: unknown) => isSealboxError(e, 'ContextMismatch'),
    )
    await assert.rejects(
      decryptBytes(sealed, {
        kms: counting,
        allowedKeyIds: [
          'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
        ],
      }),
      (e: unknown) => isSealboxError(e, 'NoUsableKey'),
    )
    assert.equal(calls, 0)
    await decryptBytes(sealed, { kms: counting, allowedKeyIds: [arns[1]!] })
    assert.equal(calls, 1, 'only the allowed key is asked')
  })
})

void describe("interop with @aws-crypto/client-node: the embedded KMS through the SDK's KMS keyring", () => {
  let home: string
  let runtime: Runtime
  let port: KmsPort
  let arns: string[]

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'sealbox-interop-'))
    runtime = new Runtime(() => ({ home }), {})
    port = await runtime.kms()
    arns = [
      await runtime.defaultKeyId(),
      (await port.createKey({ description: 'second' })).keyMetadata.arn,
    ]
  })
  after(async () => {
    runtime.close()
    await rm(home, { recursive: true, force: true })
  })

  const keyring = (generatorKeyId: string | undefined, keyIds: string[]): KmsKeyringNode =>
    new KmsKeyringNode({
      ...(generatorKeyId === undefined ? {} : { generatorKeyId }),
      keyIds,
      clientProvider: (() => esdkKmsClient(port)) as never,
    })

  for (const suiteId of SUITES) {
    for (const frameLength of [1024, 65_536, 262_144]) {
      void test(`suite 0x0${suiteId.toString(16)}, frame ${frameLength}: one and two keys, both directions`, async () => {
        const pt = pattern(2 * frameLength + 3, frameLength)
        for (const keyIds of [[arns[0]!], arns]) {
          const sealed = await encryptBytes(pt, {
            kms: port,
            keyIds,
            encryptionContext: context,
            frameLength,
            signed: suiteId === 0x0578,
          })
          for (const arn of keyIds) {
            assert.deepEqual(
              (await esdk.decrypt(keyring(undefined, [arn]), sealed)).plaintext,
              Buffer.from(pt),
            )
          }
          const [generator, ...rest] = keyIds
          const { result } = await esdk.encrypt(keyring(generator, rest), pt, {
            encryptionContext: context,
            frameLength,
            suiteId: esdkSuite(suiteId),
          })
          for (const arn of keyIds) {
            const back = await decryptBytes(result, {
              kms: port,
              allowedKeyIds: [arn],
              expectedContext: context,
            })
            assert.deepEqual(Buffer.from(back.plaintext), Buffer.from(pt))
          }
        }
      })
    }
  }

  void test('a context altered in the header is refused by the KMS before any plaintext', async () => {
    const sealed = Buffer.from(
      await encryptBytes(pattern(100), {
        kms: port,
        keyIds: [arns[0]!],
        encryptionContext: { tenant: 'acme' },
      }),
    )
    const at = sealed.indexOf(Buffer.from('acme'))
    sealed[at] = 'b'.charCodeAt(0)
    await assert.rejects(
      decryptBytes(sealed, { kms: port }),
      (e: unknown) => isSealboxError(e, 'InvalidCiphertextException') && /altered/.test(e.message),
    )
  })
})
