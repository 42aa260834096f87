import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../clock/index.js'
import { DEFAULT_LIMITS, parseHeader } from '../format/index.js'
import {
  decryptBytes,
  encryptBytes,
  encryptStream,
  DataKeyCache,
  RawAesKey,
  type EncryptOptions,
} from './index.js'

const key = new RawAesKey('cache', 'k', new Uint8Array(32).fill(1))
const sameNameOtherBytes = new RawAesKey('cache', 'k', new Uint8Array(32).fill(2))

/** The wrapped data key of a message: equal for messages that share a cached data key. */
async function wrapped(options: EncryptOptions, size = 10): Promise<string> {
  const message = await encryptBytes(new Uint8Array(size), options)
  const { plaintext } = await decryptBytes(message, { rawKeys: [key, sameNameOtherBytes] })
  assert.equal(plaintext.length, size)
  const parsed = parseHeader(message, DEFAULT_LIMITS)
  assert.ok(parsed.done)
  return Buffer.from(parsed.header.encryptedDataKeys[0]!.ciphertext).toString('hex')
}

void test('without a cache every message gets a new data key; with one, messages share it', async () => {
  assert.notEqual(await wrapped({ rawKeys: [key] }), await wrapped({ rawKeys: [key] }))
  const cache = new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1 << 20 })
  const first = await wrapped({ rawKeys: [key], cache })
  assert.equal(await wrapped({ rawKeys: [key], cache }), first)
  assert.equal(cache.hits, 1)
})

void test('a change of context, key, key bytes or suite misses', async () => {
  const cache = new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1 << 20 })
  const base: EncryptOptions = { rawKeys: [key], cache, encryptionContext: { a: '1' } }
  const first = await wrapped(base)
  for (const variant of [
    { ...base, encryptionContext: { a: '2' } },
    { ...base, encryptionContext: { a: '1', b: '1' } },
    { ...base, rawKeys: [sameNameOtherBytes] },
    { ...base, rawKeys: [key, sameNameOtherBytes] },
    { ...base, signed: true },
  ]) {
    assert.notEqual(await wrapped(variant), first)
  }
  assert.equal(await wrapped(base), first)
})

void test('bounds: message count, bytes and age each force a new data key', async () => {
  const clock = new ManualClock(new Date(0))
  const cache = new DataKeyCache({ maxAgeMs: 1000, maxMessages: 2, maxBytes: 100, clock })
  const opts: EncryptOptions = { rawKeys: [key], cache }
  const a = await wrapped(opts)
  assert.equal(await wrapped(opts), a)
  const b = await wrapped(opts) // a third message
  assert.notEqual(b, a)
  const c = await wrapped(opts, 95) // 10 + 95 bytes > 100
  assert.notEqual(c, b)
  const d = await wrapped(opts, 1)
  assert.equal(d, c)
  clock.advance(1000)
  assert.notEqual(await wrapped(opts, 1), d)
  await wrapped(opts, 101)
  assert.equal(cache.size, 0, 'a message larger than maxBytes is not cached')
})

void test('capacity evicts the least recently used entry', async () => {
  const cache = new DataKeyCache({
    maxAgeMs: 60_000,
    maxMessages: 100,
    maxBytes: 1 << 20,
    capacity: 2,
  })
  const x = await wrapped({ rawKeys: [key], cache, encryptionContext: { n: '1' } })
  await wrapped({ rawKeys: [key], cache, encryptionContext: { n: '2' } })
  await wrapped({ rawKeys: [key], cache, encryptionContext: { n: '3' } })
  assert.equal(cache.size, 2)
  assert.notEqual(await wrapped({ rawKeys: [key], cache, encryptionContext: { n: '1' } }), x)
  cache.clear()
  assert.equal(cache.size, 0)
})

void test('a stream uses the cache only when its length is declared, and must then match it', async () => {
  const cache = new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1 << 20 })
  const drain = async (opts: EncryptOptions, bytes: Uint8Array): Promise<void> => {
    for await (const _ of encryptStream(
      (async function* () {
        yield bytes
      })(),
      opts,
    ))
      void _
  }
  await drain({ rawKeys: [key], cache }, new Uint8Array(5))
  assert.equal(cache.size, 0)
  await drain({ rawKeys: [key], cache, plaintextLength: 5 }, new Uint8Array(5))
  assert.equal(cache.size, 1)
  await assert.rejects(
    drain({ rawKeys: [key], cache, plaintextLength: 5 }, new Uint8Array(6)),
    /longer than the declared/,
  )
})

void test('bounds must be given and positive', () => {
  assert.throws(() => new DataKeyCache({ maxAgeMs: 0, maxMessages: 1, maxBytes: 1 }))
  assert.throws(() => new DataKeyCache({ maxAgeMs: 1, maxMessages: -1, maxBytes: 1 }))
})
