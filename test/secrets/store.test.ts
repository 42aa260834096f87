import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import type { KmsPort } from '../../src/kms/types/index.js'
import { SecretStore, tarEntries, unpackTar } from '../../src/secrets/index.js'
import { type Sandbox, type StoreKind, useSandbox } from './fixtures.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const c of source) chunks.push(c.slice())
  return Buffer.concat(chunks)
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

for (const kind of ['local', 's3rver', 'moto'] as StoreKind[]) {
  void describe(`secret store on ${kind}`, () => {
    let box: Sandbox
    let secrets: SecretStore
    let skip: string | undefined
    useSandbox(
      kind,
      async (b) => {
        box = b
        secrets = await b.secrets()
      },
      (why) => (skip = why),
    )

    const it = (
      name: string,
      fn: () => Promise<void>,
      needs?: { conditionalWrites?: boolean },
    ): void => {
      void test(name, async (t) => {
        if (skip !== undefined) return t.skip(skip)
        if (needs?.conditionalWrites === true && !box.conditionalWrites) {
          return t.skip(
            `${kind} has no conditional writes: concurrent writers rely on the documented fallback`,
          )
        }
        await fn()
      })
    }

    it('put then get; versions count up; history has times, sizes and the key', async () => {
      const v1 = await secrets.put('app/db-password', enc.encode('hunter2'))
      const v2 = await secrets.put('/app/db-password', enc.encode('hunter3!'))
      assert.deepEqual([v1.version, v2.version], [1, 2])
      const { version, value } = await secrets.get('app/db-password')
      assert.equal(dec.decode(value), 'hunter3!')
      assert.equal(version.version, 2)
      assert.equal(
        dec.decode((await secrets.get('app/db-password', { version: 1 })).value),
        'hunter2',
      )
      const history = await secrets.history('app/db-password')
      assert.deepEqual(
        history.map((h) => [h.version, h.size, h.deleted]),
        [
          [1, 7, false],
          [2, 8, false],
        ],
      )
      const arn = await secrets.keyArn(await box.runtime.defaultKeyId())
      assert.match(arn, /^arn:aws:kms:/)
      for (const h of history) assert.deepEqual(h.keyArns, [arn])
    })

    it('binary values and empty values survive unchanged', async () => {
      const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)
      await secrets.put('bin/blob', binary)
      assert.deepEqual(Buffer.from((await secrets.get('bin/blob')).value), Buffer.from(binary))
      await secrets.put('bin/empty', new Uint8Array(0))
      assert.equal((await secrets.get('bin/empty')).value.length, 0)
    })

    it('missing secrets, bad paths and oversized values are told apart', async () => {
      await assert.rejects(
        secrets.get('nope/never'),
        (e) => isSealboxError(e, 'SecretNotFound') && e.message.includes("'nope/never'"),
      )
      await assert.rejects(secrets.put('app/../x', enc.encode('x')), (e) =>
        isSealboxError(e, 'UsageError'),
      )
      const { store, prefix } = await box.objects()
      const small = new SecretStore({
        objects: store,
        prefix,
        kms: await box.runtime.kms(),
        keyIds: [await box.runtime.defaultKeyId()],
        clock: await box.runtime.clock(),
        maxSecretBytes: 10,
      })
      await assert.rejects(small.put('app/big', new Uint8Array(11)), (e) =>
        isSealboxError(e, 'LimitExceeded'),
      )
      await assert.rejects(
        secrets.get('app/db-password', { version: 99 }),
        (e) => isSealboxError(e, 'SecretNotFound') && /no version 99/.test(e.message),
      )
    })

    it('expectVersion is a compare-and-set on the latest version', async () => {
      await secrets.put('cas/key', enc.encode('a'), { expectVersion: 0 })
      await assert.rejects(secrets.put('cas/key', enc.encode('b'), { expectVersion: 0 }), (e) =>
        isSealboxError(e, 'PreconditionFailed'),
      )
      await secrets.put('cas/key', enc.encode('b'), { expectVersion: 1 })
      assert.equal(dec.decode((await secrets.get('cas/key')).value), 'b')
    })

    it('rm leaves a marker and keeps history; rollback brings the value back; purge removes all', async () => {
      await secrets.put('life/token', enc.encode('one'))
      await secrets.put('life/token', enc.encode('two'))
      const removed = await secrets.remove('life/token')
      assert.equal(removed.version, 3)
      await assert.rejects(
        secrets.get('life/token'),
        (e) =>
          isSealboxError(e, 'SecretNotFound') && /deleted/.test(e.message) && e.hint !== undefined,
      )
      await assert.rejects(secrets.remove('life/token'), (e) => isSealboxError(e, 'SecretNotFound'))
      assert.equal((await secrets.list(['life/*'])).length, 0)
      assert.equal((await secrets.list(['life/*'], { includeDeleted: true }))[0]?.deleted, true)
      const back = await secrets.rollback('life/token', 1)
      assert.equal(back.version, 4)
      assert.equal(dec.decode((await secrets.get('life/token')).value), 'one')
      await assert.rejects(
        secrets.rollback('life/token', 3),
        (e) => isSealboxError(e, 'SecretNotFound') && /deletion marker/.test(e.message),
      )
      const purged = await secrets.remove('life/token', { purge: true })
      assert.equal(purged.purged, 5)
      await assert.rejects(secrets.history('life/token'), (e) =>
        isSealboxError(e, 'SecretNotFound'),
      )
      const { store, prefix } = await box.objects()
      for await (const page of store.list({ prefix: `${prefix}life/` }))
        assert.deepEqual(page.objects, [])
    })

    it('a value copied to another path is refused with WrongLocation naming its place', async () => {
      await secrets.put('swap/a', enc.encode('value of a'))
      await secrets.put('swap/b', enc.encode('value of b'))
      const { store, prefix } = await box.objects()
      const a = await bytesOf((await store.get(`${prefix}swap/a/.v/0000000001`)).body)
      await store.put(`${prefix}swap/b/.v/0000000002`, a)
      await assert.rejects(
        secrets.get('swap/b'),
        (e) =>
          isSealboxError(e, 'WrongLocation') &&
          e.message.includes("'swap/a' version 1") &&
          e.message.includes("'swap/b' version 2"),
      )
      await assert.rejects(bytesOf((await secrets.open('swap/b')).body), (e) =>
        isSealboxError(e, 'WrongLocation'),
      )
      // and a value copied to a new path
      await store.put(`${prefix}swap/c/.v/0000000001`, a)
      await assert.rejects(
        secrets.get('swap/c'),
        (e) => isSealboxError(e, 'WrongLocation') && e.message.includes("'swap/a'"),
      )
    })

    it('an older version restored over a newer one is refused (rollback by the store is detected)', async () => {
      await secrets.put('replay/key', enc.encode('old'))
      await secrets.put('replay/key', enc.encode('new'))
      const { store, prefix } = await box.objects()
      const old = await bytesOf((await store.get(`${prefix}replay/key/.v/0000000001`)).body)
      await store.put(`${prefix}replay/key/.v/0000000002`, old)
      await assert.rejects(
        secrets.get('replay/key'),
        (e) => isSealboxError(e, 'WrongLocation') && /version 1 of the same secret/.test(e.message),
      )
    })

    it(
      'concurrent puts each take their own version: none is lost',
      async () => {
        const values = Array.from({ length: 12 }, (_, i) => `value-${i}`)
        const written = await Promise.all(values.map((v) => secrets.put('race/key', enc.encode(v))))
        const versions = written.map((w) => w.version).sort((a, b) => a - b)
        assert.deepEqual(
          versions,
          Array.from({ length: 12 }, (_, i) => i + 1),
        )
        const seen = new Set<string>()
        for (const v of versions)
          seen.add(dec.decode((await secrets.get('race/key', { version: v })).value))
        assert.deepEqual([...seen].sort(), [...values].sort())
      },
      { conditionalWrites: true },
    )

    it('list: patterns, sorted paths, key and size without decrypting', async () => {
      for (const p of ['ls/a/one', 'ls/a/two', 'ls/b/one', 'ls/c'])
        await secrets.put(p, enc.encode(p))
      assert.deepEqual(
        (await secrets.list(['ls/a/*'])).map((s) => s.path),
        ['ls/a/one', 'ls/a/two'],
      )
      assert.deepEqual(
        (await secrets.list(['ls/**/one'])).map((s) => s.path),
        ['ls/a/one', 'ls/b/one'],
      )
      assert.deepEqual(
        (await secrets.list(['ls/'])).map((s) => s.path),
        ['ls/a/one', 'ls/a/two', 'ls/b/one', 'ls/c'],
      )
      assert.deepEqual(
        (await secrets.list(['ls/c', 'ls/b/*'])).map((s) => s.path),
        ['ls/b/one', 'ls/c'],
      )
      const [first] = await secrets.list(['ls/a/one'])
      assert.equal(first?.size, 'ls/a/one'.length)
      assert.equal(first?.keyArns.length, 1)
    })

    it('pack and unpack: one sealed tar, context checked, entries intact', async () => {
      for (const p of ['pk/web/a', 'pk/web/b', 'pk/db/c'])
        await secrets.put(p, enc.encode(`v:${p}`))
      const kms = await box.runtime.kms()
      const sealed = await bytesOf(
        secrets.pack(['pk/web/*', 'pk/db/c'], { context: { host: 'web1' } }),
      )
      const got: Record<string, string> = {}
      for await (const entry of tarEntries(
        unpackTar(once(sealed), { kms, context: { host: 'web1' } }),
      )) {
        got[entry.path] = dec.decode(await bytesOf(entry.body))
      }
      assert.deepEqual(got, {
        'pk/db/c': 'v:pk/db/c',
        'pk/web/a': 'v:pk/web/a',
        'pk/web/b': 'v:pk/web/b',
      })
      await assert.rejects(
        bytesOf(unpackTar(once(sealed), { kms, context: { host: 'web2' } })),
        (e) => isSealboxError(e, 'ContextMismatch'),
      )
      const { store, prefix } = await box.objects()
      const single = await bytesOf((await store.get(`${prefix}pk/web/a/.v/0000000001`)).body)
      await assert.rejects(
        bytesOf(unpackTar(once(single), { kms })),
        (e) => isSealboxError(e, 'ContextMismatch') && e.hint !== undefined,
      )
      await assert.rejects(
        bytesOf(
          unpackTar(once(sealed.subarray(0, sealed.length - 40)), {
            kms,
            context: { host: 'web1' },
          }),
        ),
      )
      await assert.rejects(bytesOf(secrets.pack(['none/*'])), (e) =>
        isSealboxError(e, 'SecretNotFound'),
      )
      await assert.rejects(
        bytesOf(secrets.pack(['pk/web/a'], { context: { 'sealbox:pack': 'x' } })),
        (e) => isSealboxError(e, 'UsageError'),
      )
    })

    it('a pack refuses a secret that is also a folder of another', async () => {
      await secrets.put('clash/app', enc.encode('x'))
      await secrets.put('clash/app/db', enc.encode('y'))
      await assert.rejects(
        bytesOf(secrets.pack(['clash/**'])),
        (e) => isSealboxError(e, 'UsageError') && /file and a folder/.test(e.message),
      )
    })

    it('rotate moves every secret to a new key with a new version; values intact; dry run writes nothing', async () => {
      for (const p of ['rot/a', 'rot/b', 'rot/c']) await secrets.put(p, enc.encode(`v:${p}`))
      await secrets.remove('rot/c')
      const kms = await box.runtime.kms()
      const newKey = (await kms.createKey({ description: 'rotation target' })).keyMetadata.arn
      const plan = await secrets.rotate({ keyIds: [newKey], patterns: ['rot/*'], dryRun: true })
      assert.equal(plan.rotated, 2)
      assert.deepEqual(
        (await secrets.list(['rot/*'])).map((s) => s.version),
        [1, 1],
      )
      const report = await secrets.rotate({ keyIds: [newKey], patterns: ['rot/*'] })
      assert.deepEqual(
        [report.total, report.rotated, report.fresh, report.failed.length, report.resumed],
        [2, 2, 0, 0, false],
      )
      const after = await secrets.list(['rot/*'])
      assert.deepEqual(
        after.map((s) => [s.path, s.version, s.keyArns]),
        [
          ['rot/a', 2, [newKey]],
          ['rot/b', 2, [newKey]],
        ],
      )
      assert.equal(dec.decode((await secrets.get('rot/a')).value), 'v:rot/a')
      assert.equal(dec.decode((await secrets.get('rot/a', { version: 1 })).value), 'v:rot/a')
      const { store, prefix } = await box.objects()
      assert.equal(await store.head(`${prefix}.sealbox/rotation.json`), undefined)
    })

    it('an interrupted rotation leaves a journal; the next run resumes and skips what is done', async () => {
      const paths = Array.from({ length: 8 }, (_, i) => `resume/s${i}`)
      for (const p of paths) await secrets.put(p, enc.encode(`v:${p}`))
      const kms = await box.runtime.kms()
      const newKey = (await kms.createKey({})).keyMetadata.arn
      const { store, prefix } = await box.objects()
      const failing = failAfter(kms, 3)
      const broken = new SecretStore({
        objects: store,
        prefix,
        kms: failing,
        clock: await box.runtime.clock(),
        concurrency: 1,
      })
      const first = await broken.rotate({ keyIds: [newKey], patterns: ['resume/*'] })
      assert.equal(first.rotated, 3)
      assert.equal(first.failed.length, 5)
      assert.ok(await store.head(`${prefix}.sealbox/rotation.json`))
      for (const p of paths) assert.equal(dec.decode((await secrets.get(p)).value), `v:${p}`)
      const second = await secrets.rotate({ keyIds: [newKey], patterns: ['resume/*'] })
      assert.deepEqual(
        [second.resumed, second.rotated, second.fresh, second.failed.length],
        [true, 5, 3, 0],
      )
      const listed = await secrets.list(['resume/*'])
      assert.ok(listed.every((s) => s.version === 2 && s.keyArns[0] === newKey))
      assert.equal(await store.head(`${prefix}.sealbox/rotation.json`), undefined)
    })

    it('rotate without keys gives each secret a new data key under the keys it is already under; an interrupted run resumes', async () => {
      const kms = await box.runtime.kms()
      const otherKey = (await kms.createKey({})).keyMetadata.arn
      const onOther = await box.secrets(otherKey)
      const paths = Array.from({ length: 6 }, (_, i) => `keep/s${i}`)
      for (const [i, p] of paths.entries())
        await (i % 2 === 0 ? secrets : onOther).put(p, enc.encode(`v:${p}`))
      const before = await secrets.list(['keep/*'])
      const defaultKey = before[0]!.keyArns[0]!
      assert.notEqual(defaultKey, otherKey)
      const { store, prefix } = await box.objects()
      const broken = new SecretStore({
        objects: store,
        prefix,
        kms: failAfter(kms, 2),
        clock: await box.runtime.clock(),
        concurrency: 1,
      })
      const first = await broken.rotate({ patterns: ['keep/*'] })
      assert.deepEqual([first.rotated, first.failed.length, first.targetKeyArns], [2, 4, []])
      assert.ok(await store.head(`${prefix}.sealbox/rotation.json`))
      const plan = await secrets.rotate({ patterns: ['keep/*'], dryRun: true })
      assert.deepEqual([plan.resumed, plan.rotated, plan.total], [true, 4, 6])
      const second = await secrets.rotate({ patterns: ['keep/*'] })
      assert.deepEqual(
        [second.resumed, second.rotated, second.fresh, second.failed.length],
        [true, 4, 2, 0],
      )
      const after = await secrets.list(['keep/*'])
      assert.deepEqual(
        after.map((s) => [s.path, s.version, s.keyArns]),
        before.map((s, i) => [s.path, 2, [i % 2 === 0 ? defaultKey : otherKey]]),
      )
      for (const p of paths) assert.equal(dec.decode((await secrets.get(p)).value), `v:${p}`)
      assert.equal(await store.head(`${prefix}.sealbox/rotation.json`), undefined)
    })

    it('rotate without keys seals again under the keys of the verified message, not those its metadata names', async () => {
      await secrets.put('meta/a', enc.encode('value'))
      const [listed] = await secrets.list(['meta/a'])
      const kms = await box.runtime.kms()
      const stranger = (await kms.createKey({})).keyMetadata.arn
      const { store, prefix } = await box.objects()
      const key = `${prefix}meta/a/.v/0000000001`
      const sealed = await bytesOf((await store.get(key)).body)
      await store.put(key, sealed, { metadata: { 'sealbox-keys': stranger, 'sealbox-size': '5' } })
      const report = await secrets.rotate({ patterns: ['meta/*'] })
      assert.equal(report.rotated, 1)
      const [rotated] = await secrets.list(['meta/a'])
      assert.deepEqual([rotated?.version, rotated?.keyArns], [2, listed?.keyArns])
      assert.equal(dec.decode((await secrets.get('meta/a')).value), 'value')
    })

    it('a version stored without its key metadata still reports its key ARNs, from its header', async () => {
      await secrets.put('bare/a', enc.encode('value'))
      const arn = await secrets.keyArn(await box.runtime.defaultKeyId())
      const { store, prefix } = await box.objects()
      const key = `${prefix}bare/a/.v/0000000001`
      await store.put(key, await bytesOf((await store.get(key)).body))
      assert.equal((await store.head(key))?.metadata?.['sealbox-keys'], undefined)
      assert.deepEqual(
        (await secrets.history('bare/a')).map((v) => v.keyArns),
        [[arn]],
      )
      assert.deepEqual(
        (await secrets.list(['bare/a'])).map((v) => v.keyArns),
        [[arn]],
      )
    })
  })
}

/** The real KMS, refusing new data keys after `n` of them (a KMS outage midway). */
function failAfter(kms: KmsPort, n: number): KmsPort {
  let left = n
  return new Proxy(kms, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown
      if (name === 'generateDataKey') {
        return async (input: Parameters<KmsPort['generateDataKey']>[0]) => {
          if (left-- <= 0) throw new Error('kms unavailable')
          return target.generateDataKey(input)
        }
      }
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}
