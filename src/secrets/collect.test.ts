import assert from 'node:assert/strict'
import { test } from 'node:test'
import { collect } from './collect.js'

/** Yields `chunks`, then fails with `failure` if given. */
async function* source(chunks: Uint8Array[], failure?: Error): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c
  if (failure !== undefined) throw failure
}

const chunksOf = (...parts: string[]): Uint8Array[] => parts.map((p) => Buffer.from(p))
const zeroed = (chunks: Uint8Array[]): boolean => chunks.every((c) => c.every((b) => b === 0))

test('the whole stream, in order; the chunks it took are zeroed', async () => {
  const given = chunksOf('ab', 'cd', 'e')
  assert.equal(Buffer.from(await collect(source(given), 5, 'x')).toString(), 'abcde')
  assert.ok(zeroed(given))
  assert.equal((await collect(source([]), 5, 'x')).length, 0)
  assert.equal(Buffer.from(await collect(source(chunksOf('one')), 5, 'x')).toString(), 'one')
})

test('more than the limit is LimitExceeded, with the hint; every chunk is zeroed', async () => {
  const given = chunksOf('secret', 'more!')
  await assert.rejects(collect(source(given), 8, 'the value', 'use cp'), {
    code: 'LimitExceeded',
    message: 'the value is larger than 8 bytes',
    hint: 'use cp',
  })
  assert.ok(zeroed(given))
})

test('a source that fails part-way leaves nothing it gave unzeroed', async () => {
  const given = chunksOf('first frame', 'second frame')
  await assert.rejects(
    collect(source(given, new Error('frame 3 failed')), 1024, 'x'),
    /frame 3 failed/,
  )
  assert.ok(zeroed(given))
})
