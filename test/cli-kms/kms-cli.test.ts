import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, test } from 'node:test'
import { sandbox, sealbox, shell, type Result } from './cli.js'

const EXIT = { usage: 2, notFound: 3, integrity: 4, denied: 5, keyState: 7 }

function ok(r: Result): Result {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  return r
}

function json<T = Record<string, unknown>>(r: Result): T {
  return JSON.parse(ok(r).stdout) as T
}

async function createKey(box: ReturnType<typeof sandbox>, ...args: string[]): Promise<string> {
  const r = ok(
    await sealbox(
      box,
      'kms',
      'create-key',
      ...args,
      '--query',
      'KeyMetadata.KeyId',
      '--output',
      'text',
    ),
  )
  const keyId = r.stdout.trim()
  assert.match(keyId, /^[0-9a-f-]{36}$/)
  return keyId
}

void describe("seed 002's aws kms command lines, with sealbox kms in place of aws kms", () => {
  const box = sandbox()
  let keyId = ''
  before(async () => {
    keyId = await createKey(box, '--description', 'seed 002 demo key')
    writeFileSync(join(box.work, 'secret.txt'), 'my super secret\n')
  })

  void test('encrypt | base64 --decode, then decrypt | base64 --decode gives the secret back', async () => {
    ok(
      await shell(
        box,
        `sealbox kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt --output text --query CiphertextBlob | base64 --decode > encryptedsecret.txt\n` +
          'sealbox kms decrypt --ciphertext-blob fileb://encryptedsecret.txt --output text --query Plaintext | base64 --decode > decryptedsecret.txt',
      ),
    )
    const blob = readFileSync(join(box.work, 'encryptedsecret.txt'))
    assert.ok(blob.length > 16 && !blob.includes('my super secret'))
    assert.equal(readFileSync(join(box.work, 'decryptedsecret.txt'), 'utf8'), 'my super secret\n')
  })

  void test('re-encrypt --destination-key-id | base64 writes the JSON response, base64-encoded', async () => {
    ok(
      await shell(
        box,
        `sealbox kms re-encrypt --destination-key-id ${keyId} --ciphertext-blob fileb://encryptedsecret.txt | base64 > newencryption.txt`,
      ),
    )
    const response = JSON.parse(
      Buffer.from(readFileSync(join(box.work, 'newencryption.txt'), 'utf8'), 'base64').toString(
        'utf8',
      ),
    ) as Record<string, string>
    assert.match(response['KeyId']!, new RegExp(`:key/${keyId}$`))
    assert.match(response['SourceKeyId']!, new RegExp(`:key/${keyId}$`))
    writeFileSync(
      join(box.work, 'reencrypted.bin'),
      Buffer.from(response['CiphertextBlob']!, 'base64'),
    )
    const back = ok(
      await sealbox(
        box,
        'kms',
        'decrypt',
        '--ciphertext-blob',
        'fileb://reencrypted.bin',
        '--output',
        'text',
        '--query',
        'Plaintext',
      ),
    )
    assert.equal(Buffer.from(back.stdout.trim(), 'base64').toString(), 'my super secret\n')
  })

  void test('enable-key-rotation prints nothing; get-key-rotation-status shows it enabled', async () => {
    const enable = ok(await sealbox(box, 'kms', 'enable-key-rotation', '--key-id', keyId))
    assert.equal(enable.stdout, '')
    const status = json(await sealbox(box, 'kms', 'get-key-rotation-status', '--key-id', keyId))
    assert.equal(status['KeyRotationEnabled'], true)
    assert.equal(status['RotationPeriodInDays'], 365)
    assert.match(
      String(status['NextRotationDate']),
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/,
    )
  })

  void test('generate-data-key --key-spec AES_256 prints a 32-byte plaintext and its blob', async () => {
    const out = json<Record<string, string>>(
      await sealbox(box, 'kms', 'generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256'),
    )
    assert.equal(Buffer.from(out['Plaintext']!, 'base64').length, 32)
    assert.match(out['KeyId']!, /^arn:aws:kms:[^:]+:\d{12}:key\//)
    writeFileSync(join(box.work, 'datakey.bin'), Buffer.from(out['CiphertextBlob']!, 'base64'))
    const back = ok(
      await sealbox(
        box,
        'kms',
        'decrypt',
        '--ciphertext-blob',
        'fileb://datakey.bin',
        '--query',
        'Plaintext',
        '--output',
        'text',
      ),
    )
    assert.equal(back.stdout.trim(), out['Plaintext'])
  })
})

void describe('sealbox kms: errors as AWS names them, with named exit codes', () => {
  const box = sandbox()

  void test('an unknown key is NotFoundException (exit 3)', async () => {
    const r = await sealbox(
      box,
      'kms',
      'encrypt',
      '--key-id',
      '00000000-0000-0000-0000-000000000000',
      '--plaintext',
      'aGk=',
    )
    assert.equal(r.code, EXIT.notFound, r.stderr)
    assert.match(r.stderr, /^sealbox: error: NotFoundException: .+/m)
    assert.equal(r.stdout, '')
    const alias = await sealbox(box, 'kms', 'describe-key', '--key-id', 'alias/nothing-here')
    assert.equal(alias.code, EXIT.notFound)
    assert.match(alias.stderr, /^sealbox: error: NotFoundException: .*alias\/nothing-here/m)
  })

  void test('a disabled key is DisabledException (exit 7) until enabled again', async () => {
    const keyId = await createKey(box)
    ok(await sealbox(box, 'kms', 'disable-key', '--key-id', keyId))
    const r = await sealbox(box, 'kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGk=')
    assert.equal(r.code, EXIT.keyState, r.stderr)
    assert.match(r.stderr, /^sealbox: error: DisabledException: .*is disabled/m)
    ok(await sealbox(box, 'kms', 'enable-key', '--key-id', keyId))
    ok(await sealbox(box, 'kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGk='))
  })

  void test('create-grant again with its --name: the same GrantId, a new token; --grant-tokens are checked (exit 2)', async () => {
    const keyId = await createKey(box)
    const grant = () =>
      sealbox(
        box,
        'kms',
        'create-grant',
        '--key-id',
        keyId,
        '--grantee-principal',
        'arn:aws:iam::444455556666:user/app',
        '--operations',
        'Encrypt',
        'Decrypt',
        '--name',
        'app',
      )
    const first = json<{ GrantId: string; GrantToken: string }>(await grant())
    const again = json<{ GrantId: string; GrantToken: string }>(await grant())
    assert.equal(again.GrantId, first.GrantId)
    assert.notEqual(again.GrantToken, first.GrantToken)
    const encrypt = (...tokens: string[]) =>
      sealbox(
        box,
        'kms',
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        'aGk=',
        '--grant-tokens',
        ...tokens,
      )
    ok(await encrypt(first.GrantToken, again.GrantToken))
    const bogus = await encrypt(first.GrantToken, 'not-a-grant-token')
    assert.equal(bogus.code, EXIT.usage, bogus.stderr)
    assert.match(bogus.stderr, /^sealbox: error: InvalidGrantTokenException: .+/m)
    assert.equal(bogus.stdout, '')
  })

  void test('an unknown flag, a missing required flag and bad base64 are usage errors (exit 2)', async () => {
    const bogus = await sealbox(
      box,
      'kms',
      'encrypt',
      '--key-id',
      'k',
      '--plaintext',
      'aGk=',
      '--bogus',
    )
    assert.equal(bogus.code, EXIT.usage)
    assert.match(bogus.stderr, /^sealbox: error: unknown option '--bogus'/m)
    const missing = await sealbox(box, 'kms', 'decrypt')
    assert.equal(missing.code, EXIT.usage)
    assert.match(
      missing.stderr,
      /^sealbox: error: the following arguments are required: --ciphertext-blob$/m,
    )
    const b64 = await sealbox(box, 'kms', 'encrypt', '--key-id', 'k', '--plaintext', 'not base64!')
    assert.equal(b64.code, EXIT.usage)
    assert.match(b64.stderr, /^sealbox: hint: pass fileb:\/\/PATH/m)
    const sub = await sealbox(box, 'kms', 'no-such-op')
    assert.equal(sub.code, EXIT.usage)
  })

  void test('a tampered ciphertext is InvalidCiphertextException (exit 4)', async () => {
    const keyId = await createKey(box)
    const enc = ok(
      await sealbox(
        box,
        'kms',
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        'aGVsbG8=',
        '--query',
        'CiphertextBlob',
        '--output',
        'text',
      ),
    )
    const blob = Buffer.from(enc.stdout.trim(), 'base64')
    blob[blob.length - 1]! ^= 1
    const r = await sealbox(box, 'kms', 'decrypt', '--ciphertext-blob', blob.toString('base64'))
    assert.equal(r.code, EXIT.integrity, r.stderr)
    assert.match(r.stderr, /^sealbox: error: InvalidCiphertextException/m)
  })
})

void describe('sealbox kms: key management end to end', () => {
  const box = sandbox()

  void test('aliases, descriptions, tags and listing with --query', async () => {
    const keyId = await createKey(
      box,
      '--description',
      'first',
      '--tags',
      'TagKey=team,TagValue=blue',
    )
    ok(
      await sealbox(
        box,
        'kms',
        'create-alias',
        '--alias-name',
        'alias/app',
        '--target-key-id',
        keyId,
      ),
    )
    const described = json<{ KeyMetadata: Record<string, unknown> }>(
      await sealbox(box, 'kms', 'describe-key', '--key-id', 'alias/app'),
    )
    assert.equal(described.KeyMetadata['KeyId'], keyId)
    assert.equal(described.KeyMetadata['Description'], 'first')
    assert.equal(described.KeyMetadata['KeyState'], 'Enabled')
    ok(
      await sealbox(
        box,
        'kms',
        'update-key-description',
        '--key-id',
        keyId,
        '--description',
        'second',
      ),
    )
    const desc = ok(
      await sealbox(
        box,
        'kms',
        'describe-key',
        '--key-id',
        keyId,
        '--query',
        'KeyMetadata.Description',
        '--output',
        'text',
      ),
    )
    assert.equal(desc.stdout, 'second\n')
    const tags = json<{ Tags: unknown[] }>(
      await sealbox(box, 'kms', 'list-resource-tags', '--key-id', keyId),
    )
    assert.deepEqual(tags.Tags, [{ TagKey: 'team', TagValue: 'blue' }])
    ok(await sealbox(box, 'kms', 'untag-resource', '--key-id', keyId, '--tag-keys', 'team'))
    assert.deepEqual(
      json<{ Tags: unknown[] }>(await sealbox(box, 'kms', 'list-resource-tags', '--key-id', keyId))
        .Tags,
      [],
    )
    const aliases = ok(
      await sealbox(
        box,
        'kms',
        'list-aliases',
        '--key-id',
        keyId,
        '--query',
        'Aliases[*].AliasName',
        '--output',
        'text',
      ),
    )
    assert.equal(aliases.stdout, 'alias/app\n')
    const keys = ok(
      await sealbox(box, 'kms', 'list-keys', '--query', 'Keys[*].KeyId', '--output', 'text'),
    )
    assert.ok(keys.stdout.includes(keyId))
  })

  void test('a context pair is bound: decrypt needs the same context', async () => {
    const keyId = await createKey(box)
    const enc = ok(
      await sealbox(
        box,
        'kms',
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        'aGk=',
        '--encryption-context',
        'Record=User/123',
        '--output',
        'text',
        '--query',
        'CiphertextBlob',
      ),
    )
    const blob = enc.stdout.trim()
    const wrong = await sealbox(
      box,
      'kms',
      'decrypt',
      '--ciphertext-blob',
      blob,
      '--encryption-context',
      '{"Record":"User/124"}',
    )
    assert.equal(wrong.code, EXIT.integrity)
    const right = ok(
      await sealbox(
        box,
        'kms',
        'decrypt',
        '--ciphertext-blob',
        blob,
        '--encryption-context',
        '{"Record":"User/123"}',
        '--query',
        'Plaintext',
        '--output',
        'text',
      ),
    )
    assert.equal(right.stdout, 'aGk=\n')
  })

  void test('advance-clock makes automatic rotation happen; old blobs still decrypt', async () => {
    const keyId = await createKey(box)
    const first = ok(
      await sealbox(
        box,
        'kms',
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        'b2xk',
        '--output',
        'text',
        '--query',
        'CiphertextBlob',
      ),
    ).stdout.trim()
    ok(
      await sealbox(
        box,
        'kms',
        'enable-key-rotation',
        '--key-id',
        keyId,
        '--rotation-period-in-days',
        '90',
      ),
    )
    const moved = ok(await sealbox(box, 'kms', 'advance-clock', '--days', '91'))
    assert.match(moved.stdout, /^\d{4}-\d{2}-\d{2}T/)
    ok(await sealbox(box, 'kms', 'encrypt', '--key-id', keyId, '--plaintext', 'bmV3'))
    const rotations = json<{ Rotations: Array<Record<string, unknown>> }>(
      await sealbox(box, 'kms', 'list-key-rotations', '--key-id', keyId),
    )
    assert.ok(rotations.Rotations.length >= 1, JSON.stringify(rotations))
    assert.equal(rotations.Rotations[0]!['RotationType'], 'AUTOMATIC')
    const old = ok(
      await sealbox(
        box,
        'kms',
        'decrypt',
        '--ciphertext-blob',
        first,
        '--query',
        'Plaintext',
        '--output',
        'text',
      ),
    )
    assert.equal(old.stdout, 'b2xk\n')
  })

  void test('schedule-key-deletion, then advance-clock past the window: the key is gone', async () => {
    const keyId = await createKey(box)
    const scheduled = json<Record<string, unknown>>(
      await sealbox(
        box,
        'kms',
        'schedule-key-deletion',
        '--key-id',
        keyId,
        '--pending-window-in-days',
        '7',
      ),
    )
    assert.equal(scheduled['KeyState'], 'PendingDeletion')
    assert.equal(scheduled['PendingWindowInDays'], 7)
    const pending = await sealbox(box, 'kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGk=')
    assert.equal(pending.code, EXIT.keyState)
    assert.match(pending.stderr, /KMSInvalidStateException: .*pending deletion/)
    ok(await sealbox(box, 'kms', 'advance-clock', '--days', '8'))
    const gone = await sealbox(box, 'kms', 'describe-key', '--key-id', keyId)
    assert.equal(gone.code, EXIT.notFound, gone.stderr)
  })

  void test('get-key-policy shows the default policy; a Deny put by put-key-policy refuses the call', async () => {
    const keyId = await createKey(box)
    const policy = ok(
      await sealbox(
        box,
        'kms',
        'get-key-policy',
        '--key-id',
        keyId,
        '--policy-name',
        'default',
        '--query',
        'Policy',
        '--output',
        'text',
      ),
    )
    const doc = JSON.parse(policy.stdout) as { Statement: Array<Record<string, unknown>> }
    assert.equal(doc.Statement[0]!['Sid'], 'Enable IAM User Permissions')
    assert.deepEqual(json(await sealbox(box, 'kms', 'list-key-policies', '--key-id', keyId)), {
      PolicyNames: ['default'],
    })
    doc.Statement.push({
      Sid: 'NoEncrypt',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Encrypt',
      Resource: '*',
    })
    writeFileSync(join(box.work, 'policy.json'), JSON.stringify(doc))
    ok(
      await sealbox(
        box,
        'kms',
        'put-key-policy',
        '--key-id',
        keyId,
        '--policy-name',
        'default',
        '--policy',
        'file://policy.json',
      ),
    )
    const denied = await sealbox(box, 'kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGk=')
    assert.equal(denied.code, EXIT.denied, denied.stderr)
    assert.match(
      denied.stderr,
      /AccessDeniedException: User: \S+ is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:\S+ with an explicit deny/,
    )
    ok(await sealbox(box, 'kms', 'generate-data-key', '--key-id', keyId, '--number-of-bytes', '16'))
    const malformed = await sealbox(
      box,
      'kms',
      'put-key-policy',
      '--key-id',
      keyId,
      '--policy',
      '{"Statement":[]}',
    )
    assert.equal(malformed.code, EXIT.usage)
    assert.match(malformed.stderr, /MalformedPolicyDocumentException/)
  })

  void test('generate-random and generate-data-key-without-plaintext', async () => {
    const keyId = await createKey(box)
    const random = ok(
      await sealbox(
        box,
        'kms',
        'generate-random',
        '--number-of-bytes',
        '24',
        '--query',
        'Plaintext',
        '--output',
        'text',
      ),
    )
    assert.equal(Buffer.from(random.stdout.trim(), 'base64').length, 24)
    const out = json<Record<string, unknown>>(
      await sealbox(
        box,
        'kms',
        'generate-data-key-without-plaintext',
        '--key-id',
        keyId,
        '--key-spec',
        'AES_128',
      ),
    )
    assert.equal(out['Plaintext'], undefined)
    assert.equal(typeof out['CiphertextBlob'], 'string')
  })
})
