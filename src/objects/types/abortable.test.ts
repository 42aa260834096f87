import assert from 'node:assert/strict'
import { test } from 'node:test'
import { abortable } from './abortable.js'

void test('an abort ends the read at once, even while the source is waiting', async () => {
  const controller = new AbortController()
  async function* stalls(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('a')
    await new Promise<never>(() => undefined)
  }
  const it = abortable(stalls(), controller.signal)
  assert.equal(Buffer.from((await it.next()).value as Uint8Array).toString(), 'a')
  const pending = it.next()
  controller.abort(new Error('stop'))
  await assert.rejects(pending, /stop/)
  assert.equal((await it.next()).done, true)
})

void test('without an abort every chunk passes; stopping early closes the source', async () => {
  let closed = false
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < 5; i++) yield Buffer.from([i])
    } finally {
      closed = true
    }
  }
  const seen: number[] = []
  for await (const chunk of abortable(source(), new AbortController().signal)) {
    seen.push(chunk[0]!)
    if (seen.length === 3) break
  }
  assert.deepEqual(seen, [0, 1, 2])
  assert.equal(closed, true)
})

void test('an abort given before the first read throws its reason', async () => {
  const controller = new AbortController()
  controller.abort(new Error('early'))
  async function* one(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('x')
  }
  await assert.rejects(abortable(one(), controller.signal).next(), /early/)
})
