import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../../errors/index.js'
import { FRAME_SIZE_RANGE, parseContextFlags, parseCount, parseSize } from './parse-flags.js'

const usage = (pattern: RegExp) => (e: unknown) =>
  isSealboxError(e, 'UsageError') && pattern.test(e.message)

test('sizes: units, and the frame range from 4 KiB to 4 MiB', () => {
  assert.equal(parseSize('65536', '--frame-size', FRAME_SIZE_RANGE), 65536)
  assert.equal(parseSize('64KiB', '--frame-size', FRAME_SIZE_RANGE), 65536)
  assert.equal(parseSize('4k', '--frame-size', FRAME_SIZE_RANGE), 4096)
  assert.equal(parseSize('4MiB', '--frame-size', FRAME_SIZE_RANGE), 4 * 1024 * 1024)
  assert.throws(() => parseSize('1', '--frame-size', FRAME_SIZE_RANGE), usage(/out of range/))
  assert.throws(() => parseSize('4095', '--frame-size', FRAME_SIZE_RANGE), usage(/4096 to/))
  assert.throws(() => parseSize('5MiB', '--frame-size', FRAME_SIZE_RANGE), usage(/out of range/))
  assert.throws(() => parseSize('64 parsecs', '--frame-size'), usage(/not a size/))
})

test('counts are whole numbers of at least one', () => {
  assert.equal(parseCount('3', '--max-encrypted-data-keys'), 3)
  assert.throws(() => parseCount('0', '--max-encrypted-data-keys'), usage(/at least 1/))
  assert.throws(() => parseCount('-1', '--max-encrypted-data-keys'), usage(/whole number/))
  assert.throws(() => parseCount('2.5', '--max-encrypted-data-keys'), usage(/whole number/))
})

test('context pairs: key=value, the first = splits, a key only once', () => {
  assert.deepEqual(parseContextFlags(['a=b', 'c=d=e', 'f=']), { a: 'b', c: 'd=e', f: '' })
  assert.deepEqual(parseContextFlags(undefined), {})
  assert.throws(() => parseContextFlags(['=x']), usage(/not of the form/))
  assert.throws(() => parseContextFlags(['a=1', 'a=2']), usage(/twice/))
})
