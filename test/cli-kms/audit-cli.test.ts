import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { before, describe, test } from 'node:test'
import { sandbox, sealbox, type Result } from './cli.js'

function ok(r: Result): Result {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  return r
}

interface Event {
  seq: number
  time: string
  principal: string
  operation: string
  keyArn?: string
  encryptionContext?: Record<string, string>
  outcome: string
  requestId: string
}

async function events(box: ReturnType<typeof sandbox>, ...filters: string[]): Promise<Event[]> {
  return JSON.parse(
    ok(await sealbox(box, 'audit', 'ls', '--output', 'json', ...filters)).stdout,
  ) as Event[]
}

void describe('sealbox audit ls and verify over the embedded KMS', () => {
  const box = sandbox()
  let keyId = ''
  let keyArn = ''
  before(async () => {
    const created = JSON.parse(ok(await sealbox(box, 'kms', 'create-key')).stdout) as {
      KeyMetadata: { KeyId: string; Arn: string }
    }
    keyId = created.KeyMetadata.KeyId
    keyArn = created.KeyMetadata.Arn
    ok(
      await sealbox(
        box,
        'kms',
        'create-alias',
        '--alias-name',
        'alias/records',
        '--target-key-id',
        keyId,
      ),
    )
    for (const record of ['User/123', 'User/124', 'User/123']) {
      ok(
        await sealbox(
          box,
          'kms',
          'generate-data-key',
          '--key-id',
          'alias/records',
          '--key-spec',
          'AES_256',
          '--encryption-context',
          `Record=${record}`,
        ),
      )
    }
    await sealbox(
      box,
      'kms',
      'encrypt',
      '--key-id',
      '00000000-0000-0000-0000-000000000000',
      '--plaintext',
      'aGk=',
    )
  })

  void test('--context Record=User/123 finds exactly the two calls for that record', async () => {
    const found = await events(box, '--context', 'Record=User/123')
    assert.equal(found.length, 2)
    for (const e of found) {
      assert.equal(e.operation, 'GenerateDataKey')
      assert.equal(e.keyArn, keyArn)
      assert.deepEqual(e.encryptionContext, { Record: 'User/123' })
      assert.equal(e.outcome, 'ok')
      assert.ok(!JSON.stringify(e).includes('Plaintext'))
    }
    assert.ok(found[0]!.seq < found[1]!.seq)
  })

  void test('--key-id takes the alias, the key id or the ARN alike; --operation takes CLI spelling', async () => {
    const byAlias = await events(
      box,
      '--key-id',
      'alias/records',
      '--operation',
      'generate-data-key',
    )
    const byId = await events(box, '--key-id', keyId, '--operation', 'GenerateDataKey')
    const byArn = await events(box, '--key-id', keyArn, '--operation', 'GenerateDataKey')
    assert.equal(byAlias.length, 3)
    assert.deepEqual(
      byId.map((e) => e.seq),
      byAlias.map((e) => e.seq),
    )
    assert.deepEqual(
      byArn.map((e) => e.seq),
      byAlias.map((e) => e.seq),
    )
  })

  void test('refused calls are logged with their error code; --outcome and --limit filter', async () => {
    const refused = await events(box, '--outcome', 'NotFoundException')
    assert.ok(
      refused.some((e) => e.operation === 'Encrypt'),
      JSON.stringify(refused),
    )
    assert.equal((await events(box, '--limit', '2')).length, 2)
  })

  void test('--since and --until take spans and ISO times', async () => {
    assert.ok((await events(box, '--since', '1h')).length >= 5)
    assert.equal((await events(box, '--until', '2000-01-01T00:00:00Z')).length, 0)
    ok(await sealbox(box, 'kms', 'advance-clock', '--days', '2'))
    assert.equal((await events(box, '--since', '1d', '--operation', 'GenerateDataKey')).length, 0)
  })

  void test('the table and jsonl outputs', async () => {
    const table = ok(await sealbox(box, 'audit', 'ls', '--context', 'Record=User/124'))
      .stdout.trimEnd()
      .split('\n')
    assert.match(table[0]!, /^SEQ\s+TIME\s+PRINCIPAL\s+OPERATION\s+KEY\s+OUTCOME\s+CONTEXT$/)
    assert.equal(table.length, 2)
    assert.ok(table[1]!.includes(keyId) && table[1]!.includes('Record=User/124'))
    const jsonl = ok(
      await sealbox(box, 'audit', 'ls', '--output', 'jsonl', '--operation', 'CreateAlias'),
    ).stdout
    assert.equal(jsonl.trim().split('\n').length, 1)
  })

  void test('verify prints ok with the number of events', async () => {
    const r = ok(await sealbox(box, 'audit', 'verify'))
    assert.match(r.stdout, /^ok: \d+ events\n$/)
  })
})

void describe('sealbox audit verify finds an edited, removed or reordered event', () => {
  // A keystore with a few events and a chain that verifies.
  async function populated(): Promise<ReturnType<typeof sandbox>> {
    const box = sandbox()
    const keyId = ok(
      await sealbox(box, 'kms', 'create-key', '--query', 'KeyMetadata.KeyId', '--output', 'text'),
    ).stdout.trim()
    for (const record of ['User/1', 'User/2', 'User/3']) {
      ok(
        await sealbox(
          box,
          'kms',
          'encrypt',
          '--key-id',
          keyId,
          '--plaintext',
          'aGk=',
          '--encryption-context',
          `Record=${record}`,
        ),
      )
    }
    assert.match(ok(await sealbox(box, 'audit', 'verify')).stdout, /^ok: \d+ events\n$/)
    return box
  }

  function edit(box: ReturnType<typeof sandbox>, ...statements: string[]): void {
    const db = new Database(join(box.home, 'keystore.db'))
    try {
      db.transaction(() => statements.forEach((sql) => db.prepare(sql).run()))()
    } finally {
      db.close()
    }
  }

  async function brokenAt(box: ReturnType<typeof sandbox>): Promise<number> {
    const r = await sealbox(box, 'audit', 'verify')
    assert.equal(r.code, 4, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^sealbox: hint: /m)
    const m = /^sealbox: error: the audit log is broken at event (\d+): /m.exec(r.stderr)
    assert.ok(m, r.stderr)
    return Number(m[1])
  }

  void test('an edited context is named by its seq (exit 4)', async () => {
    const box = await populated()
    const target = (await events(box, '--context', 'Record=User/2'))[0]!.seq
    edit(box, `UPDATE audit_events SET context = '{"Record":"User/9"}' WHERE seq = ${target}`)
    assert.equal(await brokenAt(box), target)
  })

  void test('a removed event is named as missing', async () => {
    const box = await populated()
    const target = (await events(box, '--context', 'Record=User/2'))[0]!.seq
    edit(box, `DELETE FROM audit_events WHERE seq = ${target}`)
    assert.equal(await brokenAt(box), target)
  })

  void test('two events swapped: the first of them is named', async () => {
    const box = await populated()
    const a = (await events(box, '--context', 'Record=User/1'))[0]!.seq
    const b = (await events(box, '--context', 'Record=User/2'))[0]!.seq
    edit(
      box,
      `UPDATE audit_events SET seq = -1 WHERE seq = ${a}`,
      `UPDATE audit_events SET seq = ${a} WHERE seq = ${b}`,
      `UPDATE audit_events SET seq = ${b} WHERE seq = -1`,
    )
    assert.equal(await brokenAt(box), Math.min(a, b))
  })
})
