import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import type { ObjectInfo, ObjectStore } from '../../src/objects/types/index.js'

/** How the suite reaches one store under test. */
export interface StoreTarget {
  name: string
  open(): Promise<ObjectStore>
  /** JSON the race-writer child gets to open the same store (omitted: no multi-process race). */
  childStore?: () => Record<string, unknown>
  /** Why the conditional-race tests are skipped for this target, when they are. */
  skipRaces?: string
  /** `conditional`: only the precondition and race cases (a second server of the same kind). */
  subset?: 'all' | 'conditional'
  /** Keys for the many-pages listing (default 2,500) and the page size asked for (default 300). */
  manyKeys?: { count: number; pageSize: number }
  /** Set, with the reason, for a server known to list in another order than UTF-8 bytes. */
  unsortedListing?: string
  /** Writer processes in the race tests (default 6). */
  raceWriters?: number
}

const RACE_WRITER = resolve(import.meta.dirname, 'race-writer.js')

let run = 0

export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of body) parts.push(p)
  return Buffer.concat(parts)
}

export async function listAll(
  store: ObjectStore,
  options: Parameters<ObjectStore['list']>[0],
): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const keys: string[] = []
  const prefixes: string[] = []
  let pages = 0
  for await (const page of store.list(options)) {
    pages++
    keys.push(...page.objects.map((o) => o.key))
    prefixes.push(...page.commonPrefixes)
  }
  return { keys, prefixes, pages }
}

function rejectsWith(code: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isSealboxError(e), `expected a SealboxError ${code}, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    return true
  }
}

async function* chunks(total: number, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < total; at += size) {
    const n = Math.min(size, total - at)
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = (at + i) % 251
    yield b
  }
}

function pattern(total: number): Buffer {
  const b = Buffer.alloc(total)
  for (let i = 0; i < total; i++) b[i] = i % 251
  return b
}

/**
 * Writer processes that opened the same store: each round, every one of them gets an order at
 * the same moment and makes one conditional put; the results say who won.
 */
class RacePool {
  private readonly children: ChildProcess[]
  private readonly lines: Array<AsyncIterator<string>>

  private constructor(spec: Record<string, unknown>, writers: number) {
    this.children = Array.from({ length: writers }, () =>
      spawn(process.execPath, [RACE_WRITER, JSON.stringify(spec)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    )
    this.lines = this.children.map((c) =>
      createInterface({ input: c.stdout! })[Symbol.asyncIterator](),
    )
  }

  static async start(spec: Record<string, unknown>, writers: number): Promise<RacePool> {
    const pool = new RacePool(spec, writers)
    const ready = await Promise.all(pool.lines.map((l) => l.next()))
    assert.ok(
      ready.every((r) => r.value === 'ready'),
      'every writer opened the store',
    )
    return pool
  }

  async round(
    key: string,
    condition: { ifNoneMatch: '*' } | { ifMatch: string },
  ): Promise<string[]> {
    const answers = this.lines.map((l) => l.next())
    this.children.forEach((c, i) =>
      c.stdin!.write(`${JSON.stringify({ key, body: `writer ${i}`, condition })}\n`),
    )
    return (await Promise.all(answers)).map((a) => String(a.value))
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null) return done()
            c.once('exit', () => done())
            c.stdin!.end()
          }),
      ),
    )
  }
}

/** One set of expectations for every object store: the local folder, S3 servers. */
export function objectStoreConformance(target: StoreTarget): void {
  void describe(`object store conformance: ${target.name}`, () => {
    let store: ObjectStore
    let base: string
    const fresh = (): string => `${base}c${++run}/`
    const many = target.manyKeys ?? { count: 2500, pageSize: 300 }
    const sorted = (keys: string[]): string[] =>
      target.unsortedListing === undefined ? keys : [...keys].sort()
    const onlyConditional =
      target.subset === 'conditional'
        ? 'only the conditional cases run on this target (the rest run on s3rver)'
        : false

    void test('opens', async () => {
      store = await target.open()
      base = `conf-${process.pid}-${Date.now()}/`
      assert.ok(store.location.length > 0)
    })

    void test('put bytes, get, head, metadata', { skip: onlyConditional }, async () => {
      const p = fresh()
      const { etag } = await store.put(`${p}a.txt`, Buffer.from('hello'), {
        metadata: { 'sealbox-size': '5' },
      })
      assert.ok(etag.length > 0)
      const { info, body } = await store.get(`${p}a.txt`)
      assert.equal((await collect(body)).toString(), 'hello')
      assert.equal(info.size, 5)
      assert.equal(info.etag, etag)
      assert.equal(info.key, `${p}a.txt`)
      const head = (await store.head(`${p}a.txt`))!
      assert.equal(head.etag, etag)
      assert.equal(head.size, 5)
      assert.deepEqual(head.metadata, { 'sealbox-size': '5' })
      assert.ok(Math.abs(head.lastModified.getTime() - Date.now()) < 120_000)
    })

    void test('an empty object', { skip: onlyConditional }, async () => {
      const p = fresh()
      await store.put(`${p}empty`, new Uint8Array(0))
      const { info, body } = await store.get(`${p}empty`)
      assert.equal(info.size, 0)
      assert.equal((await collect(body)).length, 0)
    })

    void test(
      'put from a stream of many chunks (larger than one part)',
      { skip: onlyConditional },
      async () => {
        const p = fresh()
        const total = 6 * 1024 * 1024 + 12345
        const { etag } = await store.put(`${p}big`, chunks(total, 100_000))
        const { info, body } = await store.get(`${p}big`)
        assert.equal(info.size, total)
        assert.equal(info.etag, etag)
        assert.ok((await collect(body)).equals(pattern(total)))
      },
    )

    void test('the etag changes when the object does', { skip: onlyConditional }, async () => {
      const p = fresh()
      const one = await store.put(`${p}x`, Buffer.from('one'))
      const two = await store.put(`${p}x`, Buffer.from('two'))
      assert.notEqual(one.etag, two.etag)
      assert.equal((await store.head(`${p}x`))!.etag, two.etag)
    })

    void test('byte ranges', { skip: onlyConditional }, async () => {
      const p = fresh()
      const data = pattern(1000)
      await store.put(`${p}r`, data)
      const get = async (range: { start: number; end?: number }): Promise<Buffer> =>
        collect((await store.get(`${p}r`, { range })).body)
      assert.ok((await get({ start: 10, end: 19 })).equals(data.subarray(10, 20)))
      assert.ok((await get({ start: 990 })).equals(data.subarray(990)))
      assert.ok((await get({ start: 0, end: 0 })).equals(data.subarray(0, 1)))
      assert.ok((await get({ start: 995, end: 5000 })).equals(data.subarray(995)))
      await assert.rejects(get({ start: 1000 }), rejectsWith('InvalidRange'))
    })

    void test('missing objects', { skip: onlyConditional }, async () => {
      const p = fresh()
      assert.equal(await store.head(`${p}nothing`), undefined)
      await assert.rejects(store.get(`${p}nothing`), rejectsWith('ObjectNotFound'))
      await assert.rejects(store.delete(`${p}nothing`), rejectsWith('ObjectNotFound'))
    })

    void test(
      'a put stopped by its signal while the body waits stores nothing (one part and more)',
      { skip: onlyConditional },
      async () => {
        const p = fresh()
        for (const size of [1024 * 1024, 9 * 1024 * 1024 + 7]) {
          const controller = new AbortController()
          let reached: () => void = () => undefined
          const stalled = new Promise<void>((done) => (reached = done))
          async function* stalling(): AsyncGenerator<Uint8Array> {
            yield* chunks(size, 256 * 1024)
            reached()
            await new Promise<never>(() => undefined) // a source that never sends more
          }
          const put = store.put(`${p}cut-${size}`, stalling(), { signal: controller.signal })
          await stalled
          controller.abort(new Error('stop'))
          await assert.rejects(put, (e: unknown) => isSealboxError(e, 'Interrupted'))
          assert.equal(await store.head(`${p}cut-${size}`), undefined)
        }
        const done = new AbortController()
        await store.put(`${p}whole`, chunks(1000, 100), { signal: done.signal })
        done.abort()
        assert.equal((await store.head(`${p}whole`))?.size, 1000, 'a finished put stays')
      },
    )

    void test('delete, and delete with ifMatch', async () => {
      const p = fresh()
      const { etag } = await store.put(`${p}d`, Buffer.from('1'))
      const { etag: newer } = await store.put(`${p}d`, Buffer.from('22'))
      await assert.rejects(
        store.delete(`${p}d`, { ifMatch: etag }),
        rejectsWith('PreconditionFailed'),
      )
      assert.ok((await store.head(`${p}d`)) !== undefined)
      await store.delete(`${p}d`, { ifMatch: newer })
      assert.equal(await store.head(`${p}d`), undefined)
      await store.put(`${p}e`, Buffer.from('1'))
      await store.delete(`${p}e`)
      assert.equal(await store.head(`${p}e`), undefined)
      assert.deepEqual((await listAll(store, { prefix: p })).keys, [])
    })

    void test('ifNoneMatch * creates once', async () => {
      const p = fresh()
      await store.put(`${p}k`, Buffer.from('first'), { ifNoneMatch: '*' })
      await assert.rejects(
        store.put(`${p}k`, Buffer.from('second'), { ifNoneMatch: '*' }),
        rejectsWith('PreconditionFailed'),
      )
      assert.equal((await collect((await store.get(`${p}k`)).body)).toString(), 'first')
    })

    void test('ifMatch replaces only the version that was read', async () => {
      const p = fresh()
      const { etag: one } = await store.put(`${p}k`, Buffer.from('one'))
      const { etag: two } = await store.put(`${p}k`, Buffer.from('two'), { ifMatch: one })
      await assert.rejects(
        store.put(`${p}k`, Buffer.from('stale'), { ifMatch: one }),
        rejectsWith('PreconditionFailed'),
      )
      await assert.rejects(
        store.put(`${p}missing`, Buffer.from('x'), { ifMatch: two }),
        rejectsWith('PreconditionFailed'),
      )
      const streamed = store.put(`${p}k`, chunks(300_000, 65536), { ifMatch: one })
      await assert.rejects(streamed, rejectsWith('PreconditionFailed'))
      assert.equal((await collect((await store.get(`${p}k`)).body)).toString(), 'two')
      assert.equal((await store.head(`${p}k`))!.etag, two)
    })

    void test('list: key order, prefix, delimiter', { skip: onlyConditional }, async () => {
      const p = fresh()
      const keys = ['a-b', 'a/x', 'a/y/z', 'a0', 'b/c', 'b/d/e', 'c', 'é']
      for (const k of keys) await store.put(`${p}${k}`, Buffer.from(k))
      const all = await listAll(store, { prefix: p })
      // UTF-8 byte order: 'a-b' < 'a/…' < 'a0' (a server that lists otherwise is compared as a set)
      assert.deepEqual(sorted(all.keys), sorted(keys.map((k) => `${p}${k}`)))
      const top = await listAll(store, { prefix: p, delimiter: '/' })
      assert.deepEqual(top.keys, [`${p}a-b`, `${p}a0`, `${p}c`, `${p}é`])
      assert.deepEqual(top.prefixes, [`${p}a/`, `${p}b/`])
      const inA = await listAll(store, { prefix: `${p}a/`, delimiter: '/' })
      assert.deepEqual(inA.keys, [`${p}a/x`])
      assert.deepEqual(inA.prefixes, [`${p}a/y/`])
      const partial = await listAll(store, { prefix: `${p}a` })
      assert.deepEqual(sorted(partial.keys), sorted([`${p}a-b`, `${p}a/x`, `${p}a/y/z`, `${p}a0`]))
      const info: ObjectInfo[] = []
      for await (const page of store.list({ prefix: `${p}b/` })) info.push(...page.objects)
      assert.deepEqual(
        info.map((o) => [o.key, o.size]),
        [
          [`${p}b/c`, 3],
          [`${p}b/d/e`, 5],
        ],
      )
      assert.ok(info.every((o) => o.etag.length > 0 && o.lastModified instanceof Date))
      assert.deepEqual(await listAll(store, { prefix: `${p}nothing/` }), {
        keys: [],
        prefixes: [],
        pages: 1,
      })
    })

    void test(
      `list: ${many.count} keys over many pages, every page`,
      { skip: onlyConditional },
      async () => {
        const p = fresh()
        const keys = Array.from(
          { length: many.count },
          (_, i) => `${p}k${String(i).padStart(5, '0')}`,
        )
        let next = 0
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < keys.length) {
              const k = keys[next++]!
              await store.put(k, Buffer.from('x'))
            }
          }),
        )
        const listed = await listAll(store, { prefix: p, pageSize: many.pageSize })
        assert.equal(listed.keys.length, many.count)
        assert.deepEqual(listed.keys, keys)
        const pages = Math.ceil(many.count / many.pageSize)
        assert.ok(listed.pages >= pages, `expected at least ${pages} pages, got ${listed.pages}`)
        const byDefault = await listAll(store, { prefix: p })
        assert.deepEqual(byDefault.keys, keys)
        if (many.count > 1000)
          assert.ok(
            byDefault.pages >= Math.ceil(many.count / 1000),
            `pages of 1,000: ${byDefault.pages}`,
          )
      },
    )

    void test(
      'keys that could escape or collide are refused',
      { skip: onlyConditional },
      async () => {
        const p = fresh()
        for (const bad of [
          '',
          '../x',
          `${p}../../x`,
          '/etc/passwd',
          `${p}a//b`,
          `${p}a\0b`,
          `${p}.`,
          `${p}dir/`,
          `${p}.~lock.x`,
        ]) {
          await assert.rejects(
            store.put(bad, Buffer.from('x')),
            rejectsWith('UsageError'),
            JSON.stringify(bad),
          )
          await assert.rejects(store.get(bad), rejectsWith('UsageError'), JSON.stringify(bad))
          await assert.rejects(store.head(bad), rejectsWith('UsageError'), JSON.stringify(bad))
          await assert.rejects(store.delete(bad), rejectsWith('UsageError'), JSON.stringify(bad))
        }
      },
    )

    const raceSkip =
      target.childStore === undefined ? 'no child-process access to this store' : target.skipRaces
    let pool: Promise<RacePool> | undefined
    const writers = (): Promise<RacePool> =>
      (pool ??= RacePool.start(target.childStore!(), target.raceWriters ?? 6))
    after(async () => {
      if (pool !== undefined) await (await pool).stop()
    })

    void test(
      'concurrent processes: exactly one conditional create wins',
      { skip: raceSkip ?? false },
      async () => {
        const pool = await writers()
        for (let round = 0; round < 3; round++) {
          const key = `${fresh()}race`
          const results = await pool.round(key, { ifNoneMatch: '*' })
          assert.equal(results.filter((r) => r === 'won').length, 1, results.join(','))
          assert.equal(
            results.filter((r) => r === 'PreconditionFailed').length,
            results.length - 1,
            results.join(','),
          )
          const winner = results.indexOf('won')
          assert.equal((await collect((await store.get(key)).body)).toString(), `writer ${winner}`)
        }
      },
    )

    void test(
      'concurrent processes: exactly one ifMatch replace wins',
      { skip: raceSkip ?? false },
      async () => {
        const pool = await writers()
        for (let round = 0; round < 3; round++) {
          const key = `${fresh()}race`
          const { etag } = await store.put(key, Buffer.from('start'))
          const results = await pool.round(key, { ifMatch: etag })
          assert.equal(results.filter((r) => r === 'won').length, 1, results.join(','))
          const winner = results.indexOf('won')
          assert.equal((await collect((await store.get(key)).body)).toString(), `writer ${winner}`)
        }
      },
    )
  })
}
