// Produces the committed vectors in test/vectors/esdk-js/ with the official AWS Encryption SDK for
// JavaScript (@aws-crypto/client-node, a dev dependency), raw AES wrapping keys only, so they run
// offline. Rerun only to extend the set: `npx tsc -p . && node dist/test/vectors/generate-vectors.js`.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KeyringNode,
} from '@aws-crypto/client-node'
import { pattern } from '../format/support/messages.js'
import { VECTOR_KEYS, type VectorManifest, type VectorCase } from './manifest.js'

const dir = fileURLToPath(new URL('../../../test/vectors/esdk-js/', import.meta.url))

function keyring(names: string[]): KeyringNode {
  const rings = names.map((name) => {
    const k = VECTOR_KEYS.find((x) => x.keyName === name)!
    const bytes = new Uint8Array(Buffer.from(k.key, 'base64'))
    const wrappingSuite =
      bytes.length === 32
        ? RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING
        : RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING
    return new RawAesKeyringNode({ keyNamespace: k.keyNamespace, keyName: k.keyName, unencryptedMasterKey: bytes, wrappingSuite })
  })
  return rings.length === 1 ? rings[0]! : new MultiKeyringNode({ generator: rings[0]!, children: rings.slice(1) })
}

const CONTEXTS: Array<Record<string, string>> = [
  {},
  { purpose: 'vectors', 'Bucket': 'b1', 'ключ': 'значение', '\uFF21': 'fullwidth', '\u{10000}': 'linear b' },
]

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const current = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const legacy = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
  const cases: VectorCase[] = []
  let n = 0
  const add = async (
    client: typeof current,
    suiteId: number,
    frameLength: number,
    size: number,
    context: Record<string, string>,
    keys: string[],
  ): Promise<void> => {
    const id = String(++n).padStart(3, '0')
    const plaintext = pattern(size, n)
    const { result } = await client.encrypt(keyring(keys), plaintext, {
      suiteId: suiteId as AlgorithmSuiteIdentifier,
      frameLength,
      encryptionContext: context,
    })
    writeFileSync(`${dir}${id}.pt`, plaintext)
    writeFileSync(`${dir}${id}.msg`, result)
    cases.push({
      id,
      suiteId: `0x${suiteId.toString(16).padStart(4, '0')}`,
      legacy: suiteId !== 0x0478 && suiteId !== 0x0578,
      frameLength,
      plaintextLength: size,
      encryptionContext: context,
      keys,
      plaintextSha256: sha256(plaintext),
      messageSha256: sha256(result),
    })
  }
  for (const suiteId of [0x0478, 0x0578]) {
    for (const frameLength of [1, 512, 4096, 65536]) {
      for (const context of CONTEXTS) {
        const sizes = frameLength === 1 ? [0, 1, 37] : frameLength === 65536 ? [0, 70_000] : [0, frameLength, 2 * frameLength + 1]
        for (const size of sizes) await add(current, suiteId, frameLength, size, context, ['aes-256'])
      }
    }
    await add(current, suiteId, 4096, 10_000, CONTEXTS[1]!, ['aes-256', 'aes-128'])
  }
  for (const suiteId of [0x0178, 0x0378, 0x0014]) await add(legacy, suiteId, 4096, 9000, CONTEXTS[1]!, ['aes-256'])
  const pkg = JSON.parse(readFileSync(new URL('../../../node_modules/@aws-crypto/client-node/package.json', import.meta.url), 'utf8')) as { version: string }
  const manifest: VectorManifest = {
    producer: `@aws-crypto/client-node ${pkg.version}`,
    generator: 'test/vectors/generate-vectors.ts',
    keys: VECTOR_KEYS,
    cases,
  }
  writeFileSync(`${dir}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`)
  console.log(`wrote ${cases.length} vectors to ${dir}`)
}

await main()
