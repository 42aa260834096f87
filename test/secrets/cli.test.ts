import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { encryptBytes } from '../../src/envelope/index.js'
import { packContext, packEntries, type PackEntry } from '../../src/secrets/index.js'
import { ok, sealbox, shell, type Sandbox, type StoreKind, useSandbox } from './fixtures.js'

interface Row {
  path: string
  version: number
  deleted: boolean
  size: number
  modified: string
  keyArns: string[]
}

const json = <T>(r: { stdout: Buffer }): T => JSON.parse(r.stdout.toString()) as T

for (const kind of ['local', 's3rver'] as StoreKind[]) {
  void describe(`sealbox secrets on ${kind}`, () => {
    let box: Sandbox
    useSandbox(kind, (b) => {
      box = b
    })

    void test('put from a file and from stdin, get to stdout and to a 0600 file, bytes unchanged', async () => {
      writeFileSync(join(box.work, 'pw.txt'), 'hunter2\n')
      ok(await sealbox(box, ['secrets', 'put', 'app/db-password', 'pw.txt']))
      const second = ok(await sealbox(box, ['secrets', 'put', 'app/db-password', '-'], 'hunter3'))
      assert.match(second.stderr, /version 2/)
      assert.equal(
        ok(await sealbox(box, ['secrets', 'get', 'app/db-password'])).stdout.toString(),
        'hunter3',
      )
      assert.equal(
        ok(
          await sealbox(box, ['secrets', 'get', 'app/db-password', '--at', '1']),
        ).stdout.toString(),
        'hunter2\n',
      )
      const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256))
      ok(await sealbox(box, ['secrets', 'put', 'app/cert.der'], binary))
      ok(await sealbox(box, ['secrets', 'get', 'app/cert.der', '-o', 'cert.der']))
      assert.deepEqual(readFileSync(join(box.work, 'cert.der')), binary)
      assert.equal(statSync(join(box.work, 'cert.der')).mode & 0o777, 0o600)
      assert.deepEqual(ok(await sealbox(box, ['secrets', 'get', 'app/cert.der'])).stdout, binary)
      assert.deepEqual(readdirSync(box.work).sort(), ['cert.der', 'pw.txt'])
    })

    void test('put refuses a file larger than a secret may be, with a hint', async () => {
      const big = join(box.work, 'big.bin')
      writeFileSync(big, '')
      truncateSync(big, 64 * 1024 * 1024 + 1)
      try {
        const r = await sealbox(box, ['secrets', 'put', 'too/big', 'big.bin'])
        assert.equal(r.code, 4, r.stderr)
        assert.match(r.stderr, /^sealbox: error: big\.bin is larger than 67108864 bytes$/m)
        assert.match(r.stderr, /^sealbox: hint: store large files with 'sealbox cp' instead$/m)
      } finally {
        rmSync(big)
      }
    })

    void test('ls: table and json with path, version, size, modified, key; patterns', async () => {
      ok(await sealbox(box, ['secrets', 'put', 'web/api-key', '-'], 'k'))
      const table = ok(await sealbox(box, ['secrets', 'ls'])).stdout.toString()
      const lines = table.trimEnd().split('\n')
      assert.match(lines[0]!, /^PATH\s+VERSION\s+SIZE\s+MODIFIED\s+KEY$/)
      assert.match(
        table,
        /^app\/db-password\s+2\s+7\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+arn:aws:kms:[^:]+:\d+:key\/\S+$/m,
      )
      const rows = json<Row[]>(await sealbox(box, ['secrets', 'ls', 'app/*', '--output', 'json']))
      assert.deepEqual(
        rows.map((r) => [r.path, r.version, r.size]),
        [
          ['app/cert.der', 1, 300],
          ['app/db-password', 2, 7],
        ],
      )
      assert.ok(rows.every((r) => r.keyArns.length === 1 && !Number.isNaN(Date.parse(r.modified))))
      assert.deepEqual(
        json<Row[]>(await sealbox(box, ['secrets', 'ls', '**/api-key', '--output', 'json'])).map(
          (r) => r.path,
        ),
        ['web/api-key'],
      )
    })

    void test('rm keeps history, history shows it, rollback restores, purge removes, exit codes tell apart', async () => {
      ok(await sealbox(box, ['secrets', 'put', 'tmp/token', '-'], 'first'))
      ok(await sealbox(box, ['secrets', 'put', 'tmp/token', '-'], 'second'))
      ok(await sealbox(box, ['secrets', 'rm', 'tmp/token']))
      const gone = await sealbox(box, ['secrets', 'get', 'tmp/token'])
      assert.equal(gone.code, 3)
      assert.match(gone.stderr, /^sealbox: error: secret 'tmp\/token' was deleted/m)
      assert.match(gone.stderr, /^sealbox: hint: .*rollback/m)
      const history = ok(await sealbox(box, ['secrets', 'history', 'tmp/token'])).stdout.toString()
      assert.match(
        history,
        /^VERSION\s+SIZE\s+MODIFIED\s+KEY\n1\s+5\s.*\n2\s+6\s.*\n3\s+-\s+\S+\s+\(deleted\)\n$/,
      )
      ok(await sealbox(box, ['secrets', 'rollback', 'tmp/token', '1']))
      assert.equal(
        ok(await sealbox(box, ['secrets', 'get', 'tmp/token'])).stdout.toString(),
        'first',
      )
      assert.equal(
        json<Row[]>(await sealbox(box, ['secrets', 'history', 'tmp/token', '--output', 'json']))
          .length,
        4,
      )
      ok(await sealbox(box, ['secrets', 'rm', 'tmp/token', '--purge']))
      assert.equal((await sealbox(box, ['secrets', 'history', 'tmp/token'])).code, 3)
      const bad = await sealbox(box, ['secrets', 'put', 'tmp/../x', '-'], 'x')
      assert.equal(bad.code, 2)
      const cas = await sealbox(
        box,
        ['secrets', 'put', 'app/db-password', '--expect-version', '1', '-'],
        'x',
      )
      assert.equal(cas.code, 6)
      assert.match(cas.stderr, /is at version 2, not 1/)
    })

    void test('a secret copied to another path fails with the place it was sealed for', async () => {
      ok(await sealbox(box, ['secrets', 'put', 'moved/from', '-'], 'original'))
      const { store, prefix } = await box.objects()
      const { body } = await store.get(`${prefix}moved/from/.v/0000000001`)
      const chunks: Uint8Array[] = []
      for await (const c of body) chunks.push(c)
      await store.put(`${prefix}moved/to/.v/0000000001`, Buffer.concat(chunks))
      const r = await sealbox(box, ['secrets', 'get', 'moved/to'])
      assert.equal(r.code, 4)
      assert.equal(r.stdout.length, 0)
      assert.match(
        r.stderr,
        /secret 'moved\/to' version 1 holds a value sealed for 'moved\/from' version 1/,
      )
    })

    void test('pack to a file and to stdout; unpack to a folder and as a tar for tar -x', async () => {
      for (const p of ['pk/web/a', 'pk/web/b'])
        ok(await sealbox(box, ['secrets', 'put', p, '-'], `value of ${p}`))
      const packed = ok(
        await sealbox(box, ['secrets', 'pack', 'pk/web/*', 'web.pack', '--context', 'host=web1']),
      )
      assert.match(packed.stderr, /packed 2 secrets/)
      assert.equal(statSync(join(box.work, 'web.pack')).mode & 0o777, 0o600)
      ok(await sealbox(box, ['secrets', 'unpack', 'web.pack', 'out', '--context', 'host=web1']))
      assert.equal(readFileSync(join(box.work, 'out/pk/web/a'), 'utf8'), 'value of pk/web/a')
      assert.equal(statSync(join(box.work, 'out/pk/web/b')).mode & 0o777, 0o600)
      assert.deepEqual(readdirSync(join(box.work, 'out')), ['pk'])
      const piped = ok(
        await shell(
          box,
          "sealbox secrets pack 'pk/**' - --context host=web1 | sealbox secrets unpack - - --context host=web1 | tar -tvf -",
        ),
      )
      assert.match(piped.stdout.toString(), /^-r-------- root\/root\s+17 .* pk\/web\/a$/m)
      const wrong = await sealbox(box, [
        'secrets',
        'unpack',
        'web.pack',
        'other',
        '--context',
        'host=web2',
      ])
      assert.equal(wrong.code, 4)
      assert.match(wrong.stderr, /hint: .*--context/)
      assert.throws(() => statSync(join(box.work, 'other/pk')))
      // a damaged pack leaves the target folder as it was
      const sealed = readFileSync(join(box.work, 'web.pack'))
      sealed[sealed.length - 20]! ^= 1
      writeFileSync(join(box.work, 'bad.pack'), sealed)
      mkdirSync(join(box.work, 'keep'))
      const damaged = await sealbox(box, [
        'secrets',
        'unpack',
        'bad.pack',
        'keep',
        '--context',
        'host=web1',
      ])
      assert.equal(damaged.code, 4)
      assert.deepEqual(readdirSync(join(box.work, 'keep')), [])
    })

    void test('unpack of a pack that is not there fails with exit 3 and makes nothing', async () => {
      const r = await sealbox(box, ['secrets', 'unpack', 'missing.pack', 'missing-out'])
      assert.equal(r.code, 3, r.stderr)
      assert.equal(
        r.stderr.toString(),
        "sealbox: error: cannot open 'missing.pack': no such file or folder\n",
      )
      assert.equal(existsSync(join(box.work, 'missing-out')), false)
    })

    void test('unpack refuses a pack that names one file twice, and leaves nothing', async () => {
      async function* twice(): AsyncGenerator<PackEntry> {
        for (const value of ['first', 'second'])
          yield { path: 'dup/a', version: 1, modified: new Date(0), value: Buffer.from(value) }
      }
      const tar: Uint8Array[] = []
      for await (const chunk of packEntries(twice())) tar.push(chunk)
      const sealed = await encryptBytes(Buffer.concat(tar), {
        kms: await box.runtime.kms(),
        keyIds: [await box.runtime.defaultKeyId()],
        encryptionContext: packContext({}),
      })
      writeFileSync(join(box.work, 'dup.pack'), sealed)
      const r = await sealbox(box, ['secrets', 'unpack', 'dup.pack', 'dup-out'])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /^sealbox: error: the pack holds 'dup\/a' twice$/m)
      assert.equal(existsSync(join(box.work, 'dup-out')), false)
    })

    void test('rotate: dry run, then every secret on the new key; history keeps the old one', async () => {
      const created = json<{ KeyMetadata: { Arn: string } }>(
        ok(await sealbox(box, ['kms', 'create-key'])),
      )
      const newKey = created.KeyMetadata.Arn
      const plan = ok(
        await sealbox(box, ['secrets', 'rotate', 'app/*', '--key-id', newKey, '--dry-run']),
      ).stdout.toString()
      assert.match(plan, /^rotate\tapp\/cert\.der\tversion 1\t/m)
      assert.equal(
        json<Row[]>(await sealbox(box, ['secrets', 'ls', 'app/cert.der', '--output', 'json']))[0]
          ?.version,
        1,
      )
      const run = ok(await sealbox(box, ['secrets', 'rotate', 'app/*', '--key-id', newKey]))
      assert.match(run.stderr, /2 rotated, 0 already fresh, 0 failed, of 2/)
      const rows = json<Row[]>(await sealbox(box, ['secrets', 'ls', 'app/*', '--output', 'json']))
      assert.deepEqual(
        rows.map((r) => [r.path, r.version, r.keyArns]),
        [
          ['app/cert.der', 2, [newKey]],
          ['app/db-password', 3, [newKey]],
        ],
      )
      assert.equal(
        ok(await sealbox(box, ['secrets', 'get', 'app/db-password'])).stdout.toString(),
        'hunter3',
      )
    })

    void test('rollback --version N brings version N back; --version alone prints the program version', async () => {
      ok(await sealbox(box, ['secrets', 'put', 'rb/token', '-'], 'one'))
      ok(await sealbox(box, ['secrets', 'put', 'rb/token', '-'], 'two'))
      const back = ok(await sealbox(box, ['secrets', 'rollback', 'rb/token', '--version', '1']))
      assert.equal(back.stdout.length, 0)
      assert.match(back.stderr, /rb\/token version 3 holds the value of version 1/)
      assert.equal(ok(await sealbox(box, ['secrets', 'get', 'rb/token'])).stdout.toString(), 'one')
      ok(await sealbox(box, ['secrets', 'rollback', 'rb/token', '--to', '2']))
      ok(await sealbox(box, ['secrets', 'rollback', 'rb/token', '1']))
      assert.deepEqual(
        json<Row[]>(await sealbox(box, ['secrets', 'history', 'rb/token', '--output', 'json'])).map(
          (r) => r.version,
        ),
        [1, 2, 3, 4, 5],
      )
      const twice = await sealbox(box, ['secrets', 'rollback', 'rb/token', '1', '--version', '2'])
      assert.equal(twice.code, 2)
      assert.match(twice.stderr, /two different versions given: 1 and --version 2/)
      for (const flag of ['--version', '-V']) {
        assert.match(ok(await sealbox(box, [flag])).stdout.toString(), /^\d+\.\d+\.\d+\n$/)
      }
      const misplaced = await sealbox(box, ['secrets', 'ls', '--version'])
      assert.equal(misplaced.code, 2)
      assert.match(misplaced.stderr, /unknown option '--version'/)
    })

    void test('rotate without --key-id: a new data key for every secret, each under the keys it is already under', async () => {
      const created = json<{ KeyMetadata: { Arn: string } }>(
        ok(await sealbox(box, ['kms', 'create-key'])),
      )
      const other = created.KeyMetadata.Arn
      ok(await sealbox(box, ['secrets', 'put', 'keep/a', '-'], 'value a'))
      ok(await sealbox(box, ['secrets', 'put', 'keep/b', '--key-id', other, '-'], 'value b'))
      const before = json<Row[]>(
        await sealbox(box, ['secrets', 'ls', 'keep/*', '--output', 'json']),
      )
      const keys = before.map((r) => r.keyArns)
      assert.equal(keys[1]?.[0], other)
      assert.notEqual(keys[0]?.[0], other)
      const dry = ok(await sealbox(box, ['secrets', 'rotate', 'keep/*', '--dry-run']))
      assert.match(
        dry.stderr,
        /2 of 2 secrets would be sealed again under the keys each is sealed under now/,
      )
      assert.match(dry.stdout.toString(), new RegExp(`^rotate\tkeep/b\tversion 1\t${other}$`, 'm'))
      const plan = json<{ targetKeyArns: string[]; plan: Array<{ keyArns: string[] }> }>(
        ok(await sealbox(box, ['secrets', 'rotate', 'keep/*', '--dry-run', '--output', 'json'])),
      )
      assert.deepEqual(plan.targetKeyArns, [])
      assert.deepEqual(
        plan.plan.map((p) => p.keyArns),
        keys,
      )
      const run = ok(await sealbox(box, ['secrets', 'rotate', 'keep/*']))
      assert.match(run.stderr, /2 rotated, 0 already fresh, 0 failed, of 2/)
      const after = json<Row[]>(await sealbox(box, ['secrets', 'ls', 'keep/*', '--output', 'json']))
      assert.deepEqual(
        after.map((r) => [r.path, r.version, r.keyArns]),
        [
          ['keep/a', 2, keys[0]],
          ['keep/b', 2, keys[1]],
        ],
      )
      assert.equal(
        ok(await sealbox(box, ['secrets', 'get', 'keep/b'])).stdout.toString(),
        'value b',
      )
    })

    void test('an existing output is replaced only with --force: get -o, pack, unpack, export -o', async () => {
      ok(await sealbox(box, ['secrets', 'put', 'out/a', '-'], 'new a'))
      ok(await sealbox(box, ['secrets', 'put', 'out/b', '-'], 'new b'))
      const file = (name: string): string => join(box.work, name)
      const refused = (r: { code: number | null; stderr: string }, name: string): void => {
        assert.equal(r.code, 6, r.stderr)
        assert.match(r.stderr, new RegExp(`^sealbox: error: ${name} already exists`, 'm'))
        assert.match(r.stderr, /^sealbox: hint: .*--force/m)
      }
      writeFileSync(file('old.txt'), 'old')
      refused(await sealbox(box, ['secrets', 'get', 'out/a', '-o', 'old.txt']), 'old\\.txt')
      assert.equal(readFileSync(file('old.txt'), 'utf8'), 'old')
      ok(await sealbox(box, ['secrets', 'get', 'out/a', '-o', 'old.txt', '--force']))
      assert.equal(readFileSync(file('old.txt'), 'utf8'), 'new a')
      assert.equal(
        ok(await sealbox(box, ['secrets', 'get', 'out/a', '-o', '-'])).stdout.toString(),
        'new a',
      )

      writeFileSync(file('old.pack'), 'old')
      refused(await sealbox(box, ['secrets', 'pack', 'out/*', 'old.pack']), 'old\\.pack')
      assert.equal(readFileSync(file('old.pack'), 'utf8'), 'old')
      ok(await sealbox(box, ['secrets', 'pack', 'out/*', 'old.pack', '--force']))

      mkdirSync(file('dest/out'), { recursive: true })
      writeFileSync(file('dest/out/b'), 'mine')
      const unpack = await sealbox(box, ['secrets', 'unpack', 'old.pack', 'dest'])
      refused(unpack, 'dest/out/b')
      assert.match(unpack.stderr, /nothing was unpacked/)
      assert.deepEqual(readdirSync(file('dest/out')), ['b'])
      assert.deepEqual(readdirSync(file('dest')), ['out'])
      assert.equal(readFileSync(file('dest/out/b'), 'utf8'), 'mine')
      ok(await sealbox(box, ['secrets', 'unpack', 'old.pack', 'dest', '--force']))
      assert.equal(readFileSync(file('dest/out/a'), 'utf8'), 'new a')
      assert.equal(readFileSync(file('dest/out/b'), 'utf8'), 'new b')

      writeFileSync(file('old.env'), 'old')
      refused(await sealbox(box, ['secrets', 'export', 'out/*', '-o', 'old.env']), 'old\\.env')
      assert.equal(readFileSync(file('old.env'), 'utf8'), 'old')
      ok(await sealbox(box, ['secrets', 'export', 'out/*', '-o', 'old.env', '--force']))
      assert.match(readFileSync(file('old.env'), 'utf8'), /^OUT_A='new a'$/m)
    })
  })
}
