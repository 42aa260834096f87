import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { Command } from 'commander'
import type {
  AuditEvent,
  AuditFilter,
  AuditLog,
  AuditVerifyResult,
} from '../../audit/types/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import { registerAudit } from '../commands/audit.js'
import type { Runtime } from '../runtime/index.js'

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const NOW = new Date('2030-01-10T00:00:00Z')

const events: AuditEvent[] = [
  {
    seq: 1,
    time: new Date('2030-01-01T10:00:00.123Z'),
    principal: 'arn:aws:iam::111122223333:user/alice',
    operation: 'Encrypt',
    keyArn: ARN,
    encryptionContext: { Record: 'User/123' },
    keyMaterialId: 'aa',
    outcome: 'ok',
    requestId: 'r1',
    prevHash: '00',
    hash: '11',
  },
  {
    seq: 2,
    time: new Date('2030-01-02T10:00:00Z'),
    principal: 'arn:aws:iam::111122223333:user/bob\u001b[2J',
    operation: 'Decrypt',
    keyArn: ARN,
    outcome: 'AccessDeniedException',
    requestId: 'r2',
    prevHash: '11',
    hash: '22',
  },
]

async function run(argv: string[], opts: { verify?: AuditVerifyResult; deleted?: boolean } = {}) {
  const filters: AuditFilter[] = []
  const describes: string[] = []
  const log: AuditLog = {
    append: () => {},
    committed: () => Promise.resolve(),
    query: (filter) => {
      filters.push(filter)
      return events
    },
    verify: () => opts.verify ?? { ok: true, events: 2 },
  }
  const runtime = {
    audit: () => Promise.resolve(log),
    clock: () => Promise.resolve({ now: () => NOW }),
    kms: () =>
      Promise.resolve({
        describeKey: ({ keyId }: { keyId: string }) => {
          describes.push(keyId)
          if (opts.deleted === true)
            return Promise.reject(
              new SealboxError('NotFoundException', `Key '${keyId}' does not exist`),
            )
          return Promise.resolve({ keyMetadata: { arn: ARN } })
        },
      }),
  } as unknown as Runtime
  let stdout = ''
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      stdout += chunk.toString()
      done()
    },
  })
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
  registerAudit(program, runtime, sink)
  await program.parseAsync(['node', 'sealbox', 'audit', ...argv])
  return { stdout, filters, describes }
}

void describe('sealbox audit ls', () => {
  void test('every filter reaches the log; aliases are resolved through DescribeKey', async () => {
    const { filters, describes } = await run([
      'ls',
      '--key-id',
      'alias/app',
      '--operation',
      'generate-data-key',
      '--principal',
      'arn:aws:iam::111122223333:user/alice',
      '--since',
      '7d',
      '--until',
      '2030-01-09T12:00:00Z',
      '--context',
      'Record=User/123',
      '--context',
      'Table=users',
      '--outcome',
      'ok',
      '--limit',
      '5',
    ])
    assert.deepEqual(describes, ['alias/app'])
    assert.equal(filters.length, 1)
    assert.deepEqual({ ...filters[0]!.context }, { Record: 'User/123', Table: 'users' })
    assert.deepEqual(
      { ...filters[0], context: undefined },
      {
        since: new Date('2030-01-03T00:00:00Z'),
        until: new Date('2030-01-09T12:00:00Z'),
        context: undefined,
        operation: 'GenerateDataKey',
        principal: 'arn:aws:iam::111122223333:user/alice',
        outcome: 'ok',
        anyKeyArn: ARN,
        limit: 5,
      },
    )
  })

  void test('a key ARN is used as is, without asking the KMS', async () => {
    const { filters, describes } = await run(['ls', '--key-id', ARN])
    assert.deepEqual(describes, [])
    assert.equal(filters[0]!.anyKeyArn, ARN)
  })

  void test('the key id of a deleted key still finds its events', async () => {
    const { filters, stdout } = await run(
      ['ls', '--key-id', '1234abcd-12ab-34cd-56ef-1234567890ab', '--output', 'jsonl'],
      { deleted: true },
    )
    assert.equal(filters[0]!.anyKeyArn, undefined)
    assert.equal(stdout.trim().split('\n').length, 2)
    await assert.rejects(run(['ls', '--key-id', 'alias/gone'], { deleted: true }), (e) =>
      isSealboxError(e, 'NotFoundException'),
    )
  })

  void test('the table is aligned, shows key ids and context pairs, and escapes control characters', async () => {
    const { stdout } = await run(['ls'])
    const lines = stdout.split('\n')
    assert.match(lines[0]!, /^SEQ\s+TIME\s+PRINCIPAL\s+OPERATION\s+KEY\s+OUTCOME\s+CONTEXT$/)
    assert.match(
      lines[1]!,
      /^1\s+2030-01-01T10:00:00Z\s+arn:aws:iam::111122223333:user\/alice\s+Encrypt\s+1234abcd-12ab-34cd-56ef-1234567890ab\s+ok\s+Record=User\/123$/,
    )
    assert.ok(lines[2]!.includes('bob\\u001b[2J'))
    assert.ok(!stdout.includes('\u001b'))
    assert.equal(lines[1]!.indexOf('Encrypt'), lines[2]!.indexOf('Decrypt'))
  })

  void test('--output json is one array with ISO times; jsonl one event a line', async () => {
    const json = JSON.parse((await run(['ls', '--output', 'json'])).stdout) as Array<
      Record<string, unknown>
    >
    assert.equal(json.length, 2)
    assert.equal(json[0]!['time'], '2030-01-01T10:00:00.123Z')
    assert.deepEqual(json[0]!['encryptionContext'], { Record: 'User/123' })
    assert.equal(json[1]!['encryptionContext'], undefined)
    const lines = (await run(['ls', '--output', 'jsonl'])).stdout.trim().split('\n')
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { seq: number }).seq),
      [1, 2],
    )
  })

  void test('bad flags are usage errors', async () => {
    for (const argv of [
      ['--since', 'yesterday'],
      ['--until', '5y'],
      ['--context', 'Record'],
      ['--context', '=x'],
      ['--context', 'a=1', '--context', 'a=2'],
      ['--limit', '0'],
      ['--output', 'csv'],
    ]) {
      await assert.rejects(
        run(['ls', ...argv]),
        (e) => isSealboxError(e, 'UsageError'),
        argv.join(' '),
      )
    }
  })
})

void describe('sealbox audit verify', () => {
  void test('prints ok with the count', async () => {
    assert.equal((await run(['verify'])).stdout, 'ok: 2 events\n')
    assert.equal(
      (await run(['verify'], { verify: { ok: true, events: 1 } })).stdout,
      'ok: 1 event\n',
    )
  })
  void test('a broken chain is AuditChainBroken naming the event', async () => {
    await assert.rejects(
      run(['verify'], {
        verify: { ok: false, events: 7, seq: 4, reason: 'hash does not match its content' },
      }),
      (e) =>
        isSealboxError(e, 'AuditChainBroken') && /event 4: hash does not match/.test(e.message),
    )
  })
})
