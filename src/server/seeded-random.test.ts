import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seededRandom } from './seeded-random.js'

test('the same seed draws the same sequence in [0, 1); another seed another one', () => {
  const draw = (seed: number) => {
    const random = seededRandom(seed)
    return Array.from({ length: 1000 }, () => random())
  }
  const a = draw(42)
  assert.deepEqual(draw(42), a)
  assert.notDeepEqual(draw(43), a)
  assert.ok(a.every((x) => x >= 0 && x < 1))
  // evenly spread: each tenth of the range gets about a tenth of the draws
  for (let d = 0; d < 10; d++) {
    const n = a.filter((x) => Math.floor(x * 10) === d).length
    assert.ok(n > 60 && n < 140, `${n} draws in [${d / 10}, ${(d + 1) / 10})`)
  }
})
