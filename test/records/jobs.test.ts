import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import {
  decodeWrappedKeys,
  encryptedTable,
  migratePlaintextColumn,
  rotateRecordKeys,
  type RecordJobProgress,
  type RecordTableSpec,
} from '../../src/records/index.js'
import {
  countingKms,
  createUsers,
  openKms,
  openPostgres,
  openSqlite,
  type Kms,
  type TestDb,
} from './support.js'

const code = (c: string) => (err: unknown) => isSealboxError(err) && err.code === c

const pgOrReason = await openPostgres()
const targets = [
  { name: 'sqlite', open: (): TestDb => openSqlite(), skip: false as string | false },
  {
    name: 'postgres',
    open: (): TestDb => pgOrReason as TestDb,
    skip: typeof pgOrReason === 'string' ? pgOrReason : false,
  },
]

for (const target of targets) {
  describe(`record jobs on ${target.name}`, { skip: target.skip }, () => {
    let t: TestDb
    let k: Kms
    before(async () => {
      t = target.open()
      k = await openKms()
    })
    after(async () => {
      await t.close()
      k.close()
    })
    const spec = (table: string): RecordTableSpec => ({
      table,
      model: 'User',
      fields: ['email', 'phone'],
    })
    const arnsOf = async (table: string) =>
      (
        (await t.db
          .selectFrom(table)
          .select(['id', 'encrypted_kms_key'])
          .orderBy('id')
          .execute()) as { id: string; encrypted_kms_key: string }[]
      ).map((r) => decodeWrappedKeys(r.encrypted_kms_key, r.id).map((w) => w.keyArn))

    test('rotation: dry run, interrupted, resumed, every record under the new key, fields untouched', async () => {
      const table = t.table('rotate')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, spec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.insertMany(
        Array.from({ length: 25 }, (_, i) => ({
          id: `r${String(i).padStart(2, '0')}`,
          email: `e${i}@x.io`,
          phone: `${i}`,
        })),
      )
      const before = (await t.db
        .selectFrom(table)
        .select(['id', 'email'])
        .orderBy('id')
        .execute()) as { email: string }[]

      const counting = countingKms(k.kms)
      const dry = await rotateRecordKeys(t.db, spec(table), {
        kms: counting.kms,
        keyIds: [k.keyB],
        dryRun: true,
        batchSize: 10,
      })
      assert.deepEqual([dry.scanned, dry.changed, dry.completed], [25, 25, true])
      assert.equal(counting.total('reEncrypt'), 0)
      assert.ok((await arnsOf(table)).every((a) => a.length === 1 && a[0] === k.keyA))

      const controller = new AbortController()
      const progress: RecordJobProgress[] = []
      const first = await rotateRecordKeys(t.db, spec(table), {
        kms: counting.kms,
        keyIds: [k.keyB],
        batchSize: 10,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p)
          controller.abort()
        },
      })
      assert.deepEqual(
        [first.scanned, first.changed, first.completed, first.resumed],
        [10, 10, false, false],
      )
      assert.deepEqual(
        progress.map((p) => [p.done, p.total]),
        [[10, 25]],
      )
      const mid = await arnsOf(table)
      assert.equal(mid.filter((a) => a[0] === k.keyB).length, 10)
      // reads work in the middle of a rotation (old and new keys side by side)
      assert.equal((await users.find()).length, 25)

      const second = await rotateRecordKeys(t.db, spec(table), {
        kms: counting.kms,
        keyIds: [k.keyB],
        batchSize: 10,
        onProgress: (p) => void progress.push(p),
      })
      assert.deepEqual(
        [second.scanned, second.changed, second.completed, second.resumed],
        [15, 15, true, true],
      )
      assert.deepEqual(
        progress.slice(1).map((p) => [p.done, p.total]),
        [
          [20, 25],
          [25, 25],
        ],
      )
      assert.equal(counting.total('reEncrypt'), 25)
      assert.ok((await arnsOf(table)).every((a) => a.length === 1 && a[0] === k.keyB))
      const afterRows = (await t.db
        .selectFrom(table)
        .select(['id', 'email'])
        .orderBy('id')
        .execute()) as { email: string }[]
      assert.deepEqual(afterRows, before)

      // key A can go: every record opens under B alone
      await k.kms.disableKey({ keyId: k.keyA })
      try {
        const rows = await users.find((qb) => qb.orderBy('id'))
        assert.equal(rows[24]!['email'], 'e24@x.io')
      } finally {
        await k.kms.enableKey({ keyId: k.keyA })
      }
      // a finished job run again changes nothing and calls no ReEncrypt
      counting.reset()
      const again = await rotateRecordKeys(t.db, spec(table), {
        kms: counting.kms,
        keyIds: [k.keyB],
      })
      assert.deepEqual([again.changed, again.skipped], [0, 25])
      assert.equal(counting.total('reEncrypt'), 0)
      // to two keys at once
      await rotateRecordKeys(t.db, spec(table), { kms: k.kms, keyIds: [k.keyA, k.keyB] })
      assert.ok((await arnsOf(table)).every((a) => a.join() === [k.keyA, k.keyB].join()))
      assert.equal((await users.findById('r07'))!['email'], 'e7@x.io')
    })

    test('rotation stops on a tampered key column with RecordTampered', async () => {
      const table = t.table('rotbad')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, spec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.insertMany([
        { id: 'a', email: 'a' },
        { id: 'b', email: 'b' },
      ])
      const a = (await t.db
        .selectFrom(table)
        .select('encrypted_kms_key')
        .where('id', '=', 'a')
        .executeTakeFirstOrThrow()) as { encrypted_kms_key: string }
      await t.db
        .updateTable(table)
        .set({ encrypted_kms_key: a.encrypted_kms_key })
        .where('id', '=', 'b')
        .execute()
      await assert.rejects(
        rotateRecordKeys(t.db, spec(table), { kms: k.kms, keyIds: [k.keyB] }),
        (err) => code('RecordTampered')(err) && /User b/.test((err as Error).message),
      )
    })

    test('migration of a plaintext column: resumable, plaintext cleared, records keep one key', async () => {
      const table = t.table('migrate')
      await createUsers(t.db, table, ['email_plain'])
      // legacy rows: plaintext email, no key; one row already has an encrypted phone
      await t.db
        .insertInto(table)
        .values(
          Array.from({ length: 12 }, (_, i) => ({
            id: `m${String(i).padStart(2, '0')}`,
            name: `n${i}`,
            email_plain: `p${i}@x.io`,
          })),
        )
        .execute()
      await t.db.insertInto(table).values({ id: 'm99', name: 'none', email_plain: null }).execute()
      const users = encryptedTable(t.db, spec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.update('m03', { phone: '+1 555' })
      const m03key = (
        (await t.db
          .selectFrom(table)
          .select('encrypted_kms_key')
          .where('id', '=', 'm03')
          .executeTakeFirstOrThrow()) as { encrypted_kms_key: string }
      ).encrypted_kms_key

      const dry = await migratePlaintextColumn(t.db, spec(table), {
        kms: k.kms,
        keyIds: [k.keyA],
        from: 'email_plain',
        to: 'email',
        dryRun: true,
      })
      assert.equal(dry.changed, 12)
      const controller = new AbortController()
      const first = await migratePlaintextColumn(t.db, spec(table), {
        kms: k.kms,
        keyIds: [k.keyA],
        from: 'email_plain',
        to: 'email',
        batchSize: 5,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      })
      assert.deepEqual([first.changed, first.completed], [5, false])
      const second = await migratePlaintextColumn(t.db, spec(table), {
        kms: k.kms,
        keyIds: [k.keyA],
        from: 'email_plain',
        to: 'email',
        batchSize: 5,
      })
      assert.deepEqual([second.changed, second.completed, second.resumed], [7, true, true])

      const raw = (await t.db.selectFrom(table).selectAll().orderBy('id').execute()) as Record<
        string,
        unknown
      >[]
      assert.ok(raw.every((r) => r['email_plain'] === null))
      assert.ok(
        raw
          .slice(0, 12)
          .every((r) => typeof r['email'] === 'string' && !String(r['email']).includes('@')),
      )
      assert.equal(raw.find((r) => r['id'] === 'm03')!['encrypted_kms_key'], m03key)
      const rows = await users.find((qb) => qb.orderBy('id'))
      assert.equal(rows[3]!['email'], 'p3@x.io')
      assert.equal(rows[3]!['phone'], '+1 555')
      assert.equal(rows[11]!['email'], 'p11@x.io')
      assert.equal(rows[12]!['email'], null)
      await assert.rejects(
        migratePlaintextColumn(t.db, spec(table), {
          kms: k.kms,
          keyIds: [k.keyA],
          from: 'email',
          to: 'email',
        }),
        code('ValidationException'),
      )
    })
  })
}
