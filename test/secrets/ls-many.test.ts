import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { mapConcurrent } from '../../src/secrets/index.js'
import { ok, sealbox, type Sandbox, type StoreKind, useSandbox } from './fixtures.js'

const COUNT = 2_500

for (const kind of ['local', 's3rver'] as StoreKind[]) {
  void describe(`ls over ${COUNT} secrets on ${kind}`, () => {
    let box: Sandbox
    useSandbox(kind, (b) => {
      box = b
    })

    void test('every page is read: all secrets listed, in order, with their key', async () => {
      const secrets = await box.secrets()
      const paths = Array.from(
        { length: COUNT },
        (_, i) => `many/${i % 2 === 0 ? 'even' : 'odd'}/s${String(i).padStart(5, '0')}`,
      )
      // ten real puts; the rest are copies of one sealed version with its metadata (ls reads
      // no values, and copies keep the seeding cheap)
      await mapConcurrent(paths.slice(0, 10), 10, (p) =>
        secrets.put(p, new TextEncoder().encode(p)),
      )
      const { store, prefix } = await box.objects()
      const model = await store.get(`${prefix}${paths[0]}/.v/0000000001`)
      const chunks: Uint8Array[] = []
      for await (const c of model.body) chunks.push(c)
      const sealed = Buffer.concat(chunks)
      const metadata = model.info.metadata ?? (await store.head(model.info.key))?.metadata ?? {}
      await mapConcurrent(paths.slice(10), 32, (p) =>
        store.put(`${prefix}${p}/.v/0000000001`, sealed, { metadata }),
      )
      // more than one page of the store's listing
      let pages = 0
      for await (const page of store.list({ prefix: `${prefix}many/` }))
        if (page.objects.length > 0) pages++
      assert.ok(pages > 1, `${pages} page(s)`)
      const rows = JSON.parse(
        ok(await sealbox(box, ['secrets', 'ls', '--output', 'json'])).stdout.toString(),
      ) as Array<{ path: string; keyArns: string[]; version: number }>
      assert.equal(rows.length, COUNT)
      assert.deepEqual(
        rows.map((r) => r.path),
        [...paths].sort(),
      )
      assert.ok(rows.every((r) => r.version === 1 && r.keyArns.length === 1))
      const odd = ok(await sealbox(box, ['secrets', 'ls', 'many/odd/*'])).stdout.toString()
      const lines = odd.trimEnd().split('\n')
      assert.equal(lines.length, COUNT / 2 + 1)
      assert.match(lines[1]!, /^many\/odd\/s00001\s+1\s+/)
    })
  })
}
