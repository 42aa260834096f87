import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { encryptedTable, RecordKeyLru, type RecordTableSpec } from '../../src/records/index.js'
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
const targets: { name: string; open: () => TestDb | Promise<TestDb>; skip: string | false }[] = [
  { name: 'sqlite', open: openSqlite, skip: false },
  {
    name: 'postgres',
    open: () => pgOrReason as TestDb,
    skip: typeof pgOrReason === 'string' ? pgOrReason : false,
  },
]

for (const target of targets) {
  describe(`records on ${target.name}`, { skip: target.skip }, () => {
    let t: TestDb
    let k: Kms
    before(async () => {
      t = await target.open()
      k = await openKms()
    })
    after(async () => {
      await t.close()
      k.close()
    })

    const usersSpec = (table: string): RecordTableSpec => ({
      table,
      model: 'User',
      fields: ['email', 'phone'],
      blindIndexes: { email: { normalize: (v) => (typeof v === 'string' ? v.toLowerCase() : v) } },
    })

    test('every type round-trips; null stays null; columns hold ciphertext', async () => {
      const table = t.table('types')
      const cols = ['s', 'n', 'b', 'd', 'j', 'buf', 'big', 'nul']
      await t.db.schema
        .createTable(table)
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('encrypted_kms_key', 'text')
        .$call((b) => cols.reduce((acc, c) => acc.addColumn(c, 'text'), b))
        .execute()
      const users = encryptedTable(t.db, { table, fields: cols }, { kms: k.kms, keyIds: [k.keyA] })
      const values = {
        s: 'héllo ✓ ünïcode',
        n: -12.5e-3,
        b: false,
        d: new Date('2024-02-29T12:34:56.789Z'),
        j: { a: [1, 'x', null], b: { c: true } },
        buf: Buffer.from([0, 1, 2, 255]),
        big: 123456789012345678901234567890n,
        nul: null,
      }
      const inserted = await users.insert({ id: 'r1', ...values })
      assert.equal(inserted['id'], 'r1')
      const raw = (await t.db
        .selectFrom(table)
        .selectAll()
        .where('id', '=', 'r1')
        .executeTakeFirstOrThrow()) as Record<string, unknown>
      assert.match(String(raw['encrypted_kms_key']), /^v1:/)
      assert.equal(raw['nul'], null)
      assert.notEqual(raw['s'], values.s)
      assert.ok(!String(raw['s']).includes('llo'))
      const back = await users.findById('r1')
      assert.equal(back!['encrypted_kms_key'], undefined)
      assert.deepEqual(back, { id: 'r1', ...values })
      assert.equal(typeof back!['big'], 'bigint')
      assert.ok(back!['d'] instanceof Date)
      assert.ok(Buffer.isBuffer(back!['buf']))

      await users.update('r1', { s: 'changed', n: 7, nul: 'now set' })
      const changed = await users.findById('r1')
      assert.equal(changed!['s'], 'changed')
      assert.equal(changed!['n'], 7)
      assert.equal(changed!['nul'], 'now set')
      await users.update('r1', { s: null })
      assert.equal((await users.findById('r1'))!['s'], null)
      await assert.rejects(users.update('nope', { s: 'x' }), code('RecordNotFound'))
    })

    test('field swap, wrong id and ciphertext pasted from another record are RecordTampered', async () => {
      const table = t.table('tamper')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.insert({ id: 'u1', name: 'Ann', email: 'ann@example.com', phone: '+1 555 0101' })
      await users.insert({ id: 'u2', name: 'Bob', email: 'bob@example.com', phone: '+1 555 0102' })
      const raw = async (id: string) =>
        (await t.db
          .selectFrom(table)
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()) as Record<string, string>
      const u1 = await raw('u1')
      const u2 = await raw('u2')

      // email and phone swapped inside one record
      await t.db
        .updateTable(table)
        .set({ email: u1['phone'], phone: u1['email'] })
        .where('id', '=', 'u1')
        .execute()
      await assert.rejects(
        users.findById('u1'),
        (err) =>
          code('RecordTampered')(err) &&
          /field email of tamper_\w+ record u1/.test((err as Error).message),
      )
      await t.db
        .updateTable(table)
        .set({ email: u1['email'], phone: u1['phone'] })
        .where('id', '=', 'u1')
        .execute()
      assert.equal((await users.findById('u1'))!['email'], 'ann@example.com')

      // u2's email ciphertext pasted into u1
      await t.db.updateTable(table).set({ email: u2['email'] }).where('id', '=', 'u1').execute()
      await assert.rejects(users.findById('u1'), code('RecordTampered'))
      // u2's key and email pasted into u1 (the key's context names u2)
      await t.db
        .updateTable(table)
        .set({ email: u2['email'], encrypted_kms_key: u2['encrypted_kms_key'] })
        .where('id', '=', 'u1')
        .execute()
      await assert.rejects(
        users.findById('u1'),
        (err) => code('RecordTampered')(err) && /User u1/.test((err as Error).message),
      )
      // a whole record moved to another id
      await t.db
        .insertInto(table)
        .values({ ...u2, id: 'u3' })
        .execute()
      await assert.rejects(users.findById('u3'), code('RecordTampered'))
      // a flipped byte
      const flipped = Buffer.from(u2['phone']!, 'base64')
      flipped[flipped.length - 1]! ^= 1
      await t.db
        .updateTable(table)
        .set({ phone: flipped.toString('base64') })
        .where('id', '=', 'u2')
        .execute()
      await assert.rejects(users.findById('u2'), code('RecordTampered'))
      // other records are unaffected by a tampered one elsewhere
      await t.db.updateTable(table).set({ phone: u2['phone'] }).where('id', '=', 'u2').execute()
      assert.equal((await users.findById('u2'))!['phone'], '+1 555 0102')
    })

    test('several keys per record: either key alone decrypts', async () => {
      const table = t.table('multi')
      await createUsers(t.db, table)
      const both = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA, k.keyB] })
      await both.insert({ id: 'm1', email: 'm@example.com', phone: '1' })
      const raw = (await t.db
        .selectFrom(table)
        .select('encrypted_kms_key')
        .executeTakeFirstOrThrow()) as { encrypted_kms_key: string }
      const { decodeWrappedKeys } = await import('../../src/records/index.js')
      assert.deepEqual(
        decodeWrappedKeys(raw.encrypted_kms_key, 'm1').map((w) => w.keyArn),
        [k.keyA, k.keyB],
      )

      await k.kms.disableKey({ keyId: k.keyA })
      try {
        assert.equal((await both.findById('m1'))!['email'], 'm@example.com')
      } finally {
        await k.kms.enableKey({ keyId: k.keyA })
      }
      await k.kms.disableKey({ keyId: k.keyB })
      try {
        assert.equal((await both.findById('m1'))!['email'], 'm@example.com')
        await k.kms.disableKey({ keyId: k.keyA })
        await assert.rejects(both.findById('m1'), code('DisabledException'))
      } finally {
        await k.kms.enableKey({ keyId: k.keyA })
        await k.kms.enableKey({ keyId: k.keyB })
      }
    })

    test('a page costs one KMS call per distinct record key, at most 8 in flight; cache is opt-in', async () => {
      const table = t.table('page')
      await createUsers(t.db, table)
      const counting = countingKms(k.kms)
      let inFlight = 0
      let peak = 0
      const slow = new Proxy(counting.kms, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown
          if (prop !== 'decrypt' || typeof v !== 'function') return v
          return async (...args: unknown[]) => {
            inFlight++
            peak = Math.max(peak, inFlight)
            try {
              await new Promise((r) => setImmediate(r))
              return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args)
            } finally {
              inFlight--
            }
          }
        },
      })
      const users = encryptedTable(t.db, usersSpec(table), { kms: slow, keyIds: [k.keyA] })
      await users.insertMany(
        Array.from({ length: 30 }, (_, i) => ({
          id: `p${String(i).padStart(2, '0')}`,
          email: `u${i}@x.io`,
          phone: `${i}`,
        })),
      )
      assert.equal(counting.total('generateDataKey'), 31) // 30 records + the blind index key
      counting.reset()
      const page = await users.find((qb) => qb.orderBy('id').limit(20))
      assert.equal(page.length, 20)
      assert.equal(page[5]!['email'], 'u5@x.io')
      assert.equal(counting.total('decrypt'), 20)
      assert.equal(counting.total(), 20)
      assert.ok(peak <= 8 && peak > 1, `peak concurrency ${peak}`)

      // the same record twice in one page (a join, say) is opened once
      counting.reset()
      const rows = (await t.db
        .selectFrom(table)
        .selectAll()
        .where('id', 'in', ['p01', 'p02'])
        .execute()) as Record<string, unknown>[]
      const twice = await users.decryptRows([...rows, ...rows])
      assert.equal(twice.length, 4)
      assert.equal(counting.total('decrypt'), 2)

      const cache = new RecordKeyLru({ maxAgeMs: 60_000, capacity: 25 })
      const cached = encryptedTable(t.db, usersSpec(table), {
        kms: counting.kms,
        keyIds: [k.keyA],
        cache,
      })
      counting.reset()
      await cached.find((qb) => qb.orderBy('id').limit(20))
      await cached.find((qb) => qb.orderBy('id').limit(20))
      assert.equal(counting.total('decrypt'), 20)
      assert.equal(cache.size, 20)
      await cached.find((qb) => qb.orderBy('id', 'desc').limit(10))
      assert.equal(counting.total('decrypt'), 30)
      assert.equal(cache.size, 25)
      await cached.dispose()
      assert.equal(cache.size, 0)
    })

    test('the audit trail shows each record read with {model, id}', async () => {
      const table = t.table('audit')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA] })
      const id = `a-${table}`
      await users.insert({ id, email: 'a@example.com' })
      await users.findById(id)
      await users.findById(id)
      const events = [...k.handle.audit.query({ context: { model: 'User', id } })]
      assert.deepEqual(
        events.map((e) => [e.operation, e.outcome]),
        [
          ['GenerateDataKey', 'ok'],
          ['Decrypt', 'ok'],
          ['Decrypt', 'ok'],
        ],
      )
      assert.equal(events[1]!.keyArn, k.keyA)
    })

    test('blind index: equality search, normalized, no record key needed to search', async () => {
      const table = t.table('blind')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.insertMany([
        { id: 'b1', email: 'Ann@Example.com', phone: '1' },
        { id: 'b2', email: 'bob@example.com', phone: '2' },
        { id: 'b3', email: 'ann@example.com', phone: '3' },
      ])
      const found = await users.whereBlind('email', 'ANN@example.com', (qb) => qb.orderBy('id'))
      assert.deepEqual(
        found.map((r) => r['id']),
        ['b1', 'b3'],
      )
      assert.deepEqual(await users.whereBlind('email', 'nobody@example.com'), [])
      const raw = (await t.db
        .selectFrom(table)
        .select(['email_bidx'])
        .where('id', '=', 'b2')
        .executeTakeFirstOrThrow()) as { email_bidx: string }
      assert.equal(Buffer.from(raw.email_bidx, 'base64').length, 16)

      // a second instance (another process) finds the same index key
      const again = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA] })
      assert.deepEqual(
        (await again.whereBlind('email', 'bob@example.com')).map((r) => r['id']),
        ['b2'],
      )
      // update keeps the index in step
      await users.update('b2', { email: 'robert@example.com' })
      assert.deepEqual(await users.whereBlind('email', 'bob@example.com'), [])
      assert.equal((await users.whereBlind('email', 'robert@example.com')).length, 1)
      await assert.rejects(users.blindIndex('phone', '1'), code('ValidationException'))
      // another table's index key differs: same value, different index
      const other = t.table('blind_other')
      await createUsers(t.db, other)
      const others = encryptedTable(t.db, usersSpec(other), { kms: k.kms, keyIds: [k.keyA] })
      assert.notEqual(
        await others.blindIndex('email', 'x@y.z'),
        await users.blindIndex('email', 'x@y.z'),
      )
      await users.dispose()
      await again.dispose()
      await others.dispose()
    })

    test('shredding a record key makes its fields unrecoverable', async () => {
      const table = t.table('shred')
      await createUsers(t.db, table)
      const users = encryptedTable(t.db, usersSpec(table), { kms: k.kms, keyIds: [k.keyA] })
      await users.insertMany([
        { id: 's1', name: 'kept', email: 'gone@example.com' },
        { id: 's2', name: 'other', email: 'stays@example.com' },
      ])
      await users.insertMany([
        { id: 's3', phone: '3' },
        { id: 's4', email: 'four@example.com' },
      ])
      assert.deepEqual(
        (await users.find((qb) => qb.where('id', 'in', ['s3', 's4']).orderBy('id'))).map((r) => [
          r['email'],
          r['phone'],
        ]),
        [
          [null, '3'],
          ['four@example.com', null],
        ],
      )
      await users.shred('s1')
      const shredded = (await t.db
        .selectFrom(table)
        .selectAll()
        .where('id', '=', 's1')
        .executeTakeFirstOrThrow()) as Record<string, unknown>
      assert.deepEqual(
        [shredded['encrypted_kms_key'], shredded['email_bidx'], shredded['name']],
        [null, null, 'kept'],
      )
      assert.deepEqual(await users.whereBlind('email', 'gone@example.com'), [])
      await assert.rejects(
        users.findById('s1'),
        (err) => code('RecordShredded')(err) && /unrecoverable/.test((err as Error).message),
      )
      assert.equal((await users.findById('s2'))!['email'], 'stays@example.com')
      await assert.rejects(users.shred('s9'), code('RecordNotFound'))
    })

    test('custom encryption context from the record; integer ids', async () => {
      const table = t.table('ctx')
      await t.db.schema
        .createTable(table)
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('tenant', 'text')
        .addColumn('secret', 'text')
        .addColumn('encrypted_kms_key', 'text')
        .execute()
      const spec: RecordTableSpec = {
        table,
        fields: ['secret'],
        encryptionContext: (r) => ({ tenant: String(r['tenant']), record: String(r['id']) }),
      }
      const rows = encryptedTable(t.db, spec, { kms: k.kms, keyIds: [k.keyA] })
      await rows.insert({ id: 41, tenant: 'acme', secret: 's41' })
      assert.equal((await rows.findById(41))!['secret'], 's41')
      assert.equal(
        [...k.handle.audit.query({ context: { tenant: 'acme', record: '41' } })].length,
        2,
      )
      await t.db.updateTable(table).set({ tenant: 'evil' }).where('id', '=', 41).execute()
      await assert.rejects(rows.findById(41), code('RecordTampered'))
    })
  })
}
