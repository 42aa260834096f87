// A child process of the conformance suite: opens a store, says "ready", waits for "go", then
// makes one conditional put and prints "won" or the error code.
import { createInterface } from 'node:readline'
import { isSealboxError } from '../../src/errors/index.js'
import { openTestStore, type TestStoreSpec } from './test-store.js'

interface Order {
  store: TestStoreSpec
  key: string
  body: string
  condition: { ifNoneMatch: '*' } | { ifMatch: string }
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const order = JSON.parse((await lines.next()).value as string) as Order
const store = await openTestStore(order.store)
process.stdout.write('ready\n')
await lines.next()
try {
  await store.put(order.key, Buffer.from(order.body), order.condition)
  process.stdout.write('won\n')
} catch (e) {
  process.stdout.write(`${isSealboxError(e) ? e.code : String(e)}\n`)
}
process.exit(0)
