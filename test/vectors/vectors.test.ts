import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { decryptBytes, RawAesKey, readHeader } from '../../src/envelope/index.js'
import { isSealboxError } from '../../src/errors/index.js'
import { DEFAULT_LIMITS, parseHeader, serializeHeader } from '../../src/format/index.js'
import type { VectorManifest } from './manifest.js'

// Messages written by the official AWS Encryption SDK for JavaScript and committed as data
// (see generate-vectors.ts): the format is pinned even where the SDK is not installed.
const dir = new URL('../../../test/vectors/esdk-js/', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as VectorManifest
const keys = new Map(
  manifest.keys.map((k) => [k.keyName, new RawAesKey(k.keyNamespace, k.keyName, Buffer.from(k.key, 'base64'))]),
)
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const read = (name: string): Buffer => readFileSync(new URL(name, dir))

void describe(`vectors from ${manifest.producer}`, () => {
  void test('the set covers both committing suites, legacy suites, several frame lengths, with and without context', () => {
    const suites = new Set(manifest.cases.map((c) => c.suiteId))
    for (const s of ['0x0478', '0x0578', '0x0178', '0x0378']) assert.ok(suites.has(s), s)
    assert.ok(new Set(manifest.cases.map((c) => c.frameLength)).size >= 4)
    assert.ok(manifest.cases.some((c) => Object.keys(c.encryptionContext).length === 0))
    assert.ok(manifest.cases.some((c) => Object.keys(c.encryptionContext).length > 0))
    assert.ok(manifest.cases.some((c) => c.keys.length > 1))
  })

  for (const c of manifest.cases) {
    void test(`${c.id}: suite ${c.suiteId}, frame ${c.frameLength}, ${c.plaintextLength} bytes, ${Object.keys(c.encryptionContext).length} context pairs, keys ${c.keys.join('+')}`, async () => {
      const message = read(`${c.id}.msg`)
      const plaintext = read(`${c.id}.pt`)
      assert.equal(sha256(message), c.messageSha256, 'vector file intact')

      const parsed = parseHeader(message, { ...DEFAULT_LIMITS, allowLegacy: true })
      assert.ok(parsed.done)
      assert.deepEqual(Buffer.from(serializeHeader(parsed.header)), message.subarray(0, parsed.length), 'serialize(parse(x)) == x')

      const info = await readHeader(message)
      assert.equal(info.suiteId, Number(c.suiteId))
      assert.equal(info.frameLength, c.frameLength)
      for (const [k, v] of Object.entries(c.encryptionContext)) assert.equal(info.encryptionContext[k], v)

      if (c.legacy) {
        await assert.rejects(decryptBytes(message, { rawKeys: [keys.get(c.keys[0]!)!] }), (e: unknown) => isSealboxError(e, 'UnsupportedFormat'))
      }
      // Each key the message was wrapped under opens it on its own.
      for (const name of c.keys) {
        const out = await decryptBytes(message, {
          rawKeys: [keys.get(name)!],
          expectedContext: c.encryptionContext,
          allowLegacy: c.legacy,
        })
        assert.equal(out.plaintext.length, c.plaintextLength)
        assert.equal(sha256(out.plaintext), c.plaintextSha256)
        assert.deepEqual(Buffer.from(out.plaintext), plaintext)
      }
    })
  }
})
