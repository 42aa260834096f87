// A child process of the conformance suite: opens the store named in argv, says "ready", then
// for every order line makes one conditional put and prints "won" or the error code.
import { createInterface } from 'node:readline'
import { isSealboxError } from '../../src/errors/index.js'
import { openTestStore, type TestStoreSpec } from './test-store.js'

interface Order {
  key: string
  body: string
  condition: { ifNoneMatch: '*' } | { ifMatch: string }
}

const store = await openTestStore(JSON.parse(process.argv[2]!) as TestStoreSpec)
// the first request loads the SDK's lazy parts, so every round starts warm
await store.head('warm-up')
process.stdout.write('ready\n')
for await (const line of createInterface({ input: process.stdin })) {
  const order = JSON.parse(line) as Order
  try {
    await store.put(order.key, Buffer.from(order.body), order.condition)
    process.stdout.write('won\n')
  } catch (e) {
    process.stdout.write(`${isSealboxError(e) ? e.code : String(e)}\n`)
  }
}
process.exit(0)
