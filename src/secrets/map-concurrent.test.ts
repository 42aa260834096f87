import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as tick } from 'node:timers/promises'
import { mapConcurrent, mapOrdered } from './map-concurrent.js'

void test('results come in input order with at most `limit` in flight', async () => {
  let inFlight = 0
  let peak = 0
  const out = await mapConcurrent([5, 1, 4, 2, 3, 0], 3, async (n) => {
    inFlight++
    peak = Math.max(peak, inFlight)
    for (let i = 0; i < n; i++) await tick()
    inFlight--
    return n * 10
  })
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0])
  assert.equal(peak, 3)
})

void test('the first failure is thrown and no more calls start', async () => {
  const started: number[] = []
  await assert.rejects(
    mapConcurrent([1, 2, 3, 4, 5, 6, 7, 8], 2, async (n) => {
      started.push(n)
      await tick()
      if (n === 2) throw new Error('boom')
      return n
    }),
    /boom/,
  )
  assert.ok(started.length <= 4, `started ${started.join(',')}`)
})

void test('a slow consumer holds the producer back', async () => {
  let produced = 0
  async function* source(): AsyncGenerator<number> {
    for (let i = 0; i < 100; i++) {
      produced++
      yield i
    }
  }
  const seen: number[] = []
  for await (const n of mapOrdered(source(), 4, async (n) => n)) {
    seen.push(n)
    assert.ok(produced - seen.length <= 4)
    if (seen.length === 10) break
  }
  assert.ok(produced <= 14)
})
