import assert from 'node:assert/strict'
import { test } from 'node:test'
import { randomBytes } from './random.js'

test('randomBytes gives the length asked for, pooled or not', () => {
  for (const n of [0, 1, 16, 255, 256, 257, 4096, 5000]) assert.equal(randomBytes(n).length, n)
})

test('no two draws repeat, across many refills of the pool', () => {
  const seen = new Set<string>()
  // 20,000 x 48 bytes crosses the 4 KiB pool boundary about 230 times, at every offset
  for (let i = 0; i < 20_000; i++) {
    const b = randomBytes(i % 2 === 0 ? 16 : 32)
    seen.add(Buffer.from(b).toString('hex'))
  }
  assert.equal(seen.size, 20_000)
})

test('draws are independent copies, not views of a shared buffer', () => {
  const a = randomBytes(32)
  const copy = Uint8Array.from(a)
  randomBytes(32)
  a.fill(0)
  const b = randomBytes(32)
  assert.notDeepEqual(b, new Uint8Array(32))
  assert.equal(a.buffer.byteLength, 32)
  assert.notDeepEqual(copy, new Uint8Array(32))
})

test('the bytes look uniform: every byte value appears, in about equal numbers', () => {
  const counts = new Array<number>(256).fill(0)
  const draws = 4096
  for (let i = 0; i < draws; i++) for (const v of randomBytes(64)) counts[v]!++
  const expected = (draws * 64) / 256
  for (const c of counts) assert.ok(Math.abs(c - expected) < expected * 0.2, `count ${c}`)
})

test('a count that is not a whole number of bytes is refused, and later draws stay random', () => {
  for (const n of [Number.NaN, -1, 1.5, undefined, '16', Infinity]) {
    assert.throws(() => randomBytes(n as number), RangeError)
  }
  const draws = [randomBytes(32), randomBytes(32)]
  for (const d of draws) assert.notDeepEqual(d, new Uint8Array(32))
  assert.notDeepEqual(draws[0], draws[1])
})
