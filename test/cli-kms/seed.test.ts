import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { AwsKms } from '../../src/kms/aws/index.js'
import { createPrincipal, startServe } from '../server/support/cli.js'
import { sandbox, sealbox, type Result } from './cli.js'

const SEED = {
  keys: [
    {
      aliases: ['alias/orders', 'alias/orders-v2'],
      description: 'orders',
      tags: { team: 'shop' },
      rotationPeriodInDays: 365,
    },
    { aliases: ['alias/archive'], enabled: false },
  ],
}

function json<T>(r: Result): T {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

type Seeded = { Keys: Array<{ Alias: string; KeyId: string; Arn: string; Status: string }> }

void describe('sealbox kms seed', () => {
  void test('creates the keys a file lists, found again by alias: a second run changes nothing', async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    writeFileSync(file, JSON.stringify(SEED))
    const first = json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    assert.deepEqual(
      first.Keys.map((k) => [k.Alias, k.Status]),
      [
        ['alias/orders', 'created'],
        ['alias/archive', 'created'],
      ],
    )
    const orders = first.Keys[0]!
    const describe = (alias: string) =>
      sealbox(box, 'kms', 'describe-key', '--key-id', alias).then((r) =>
        json<{ KeyMetadata: Record<string, unknown> }>(r),
      )
    const meta = (await describe('alias/orders-v2')).KeyMetadata
    assert.equal(meta['KeyId'], orders.KeyId)
    assert.equal(meta['Description'], 'orders')
    assert.equal((await describe('alias/archive')).KeyMetadata['KeyState'], 'Disabled')
    const tags = json<{ Tags: unknown[] }>(
      await sealbox(box, 'kms', 'list-resource-tags', '--key-id', orders.KeyId),
    )
    assert.deepEqual(tags.Tags, [{ TagKey: 'team', TagValue: 'shop' }])
    const rotation = json<Record<string, unknown>>(
      await sealbox(box, 'kms', 'get-key-rotation-status', '--key-id', orders.KeyId),
    )
    assert.equal(rotation['KeyRotationEnabled'], true)
    assert.equal(rotation['RotationPeriodInDays'], 365)

    const second = json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    assert.deepEqual(
      second.Keys.map((k) => [k.Alias, k.KeyId, k.Status]),
      first.Keys.map((k) => [k.Alias, k.KeyId, 'existing']),
    )
    const keys = json<{ Keys: unknown[] }>(await sealbox(box, 'kms', 'list-keys'))
    assert.equal(keys.Keys.length, 2)
  })

  void test('a bad file is refused before any key is made, saying where and what', async () => {
    const box = sandbox()
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /seed file: not JSON/],
      [{ key: [] }, /an object with a "keys" array/],
      [
        { keys: [{ aliases: ['orders'] }] },
        /keys\[0\]\.aliases: 1 validation error detected: Value 'orders' at 'aliasName'/,
      ],
      [{ keys: [{ aliases: [7] }] }, /keys\[0\]\.aliases: 7 is not an alias name/],
      [{ keys: [{ aliases: ['alias/a'], color: 'red' }] }, /keys\[0\]\.color: not a member/],
      [
        { keys: [{ aliases: ['alias/a'] }, { aliases: ['alias/a'] }] },
        /keys\[1\]\.aliases: alias\/a is named twice/,
      ],
      [
        { keys: [{ aliases: ['alias/a'], rotationPeriodInDays: 30 }] },
        /rotationPeriodInDays: a whole number of days from 90 to 2560/,
      ],
    ]
    for (const [content, message] of cases) {
      const file = join(box.work, 'bad.json')
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
      const r = await sealbox(box, 'kms', 'seed', file)
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, message)
    }
    const missing = await sealbox(box, 'kms', 'seed', join(box.work, 'none.json'))
    assert.equal(missing.code, 3, missing.stderr)
    assert.match(missing.stderr, /none\.json/)
    const keys = json<{ Keys: unknown[] }>(await sealbox(box, 'kms', 'list-keys'))
    assert.deepEqual(keys.Keys, [])
  })

  void test('aliases that already name two different keys are a conflict', async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ aliases: ['alias/a'] }, { aliases: ['alias/b'] }] }),
    )
    json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    writeFileSync(file, JSON.stringify({ keys: [{ aliases: ['alias/a', 'alias/b'] }] }))
    const r = await sealbox(box, 'kms', 'seed', file)
    assert.equal(r.code, 6, r.stderr)
    assert.match(r.stderr, /already name different keys/)
  })

  void test('a policy that leaves the seeding user out is applied last, so a re-run still finds the key', async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:role/app' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    }
    writeFileSync(file, JSON.stringify({ keys: [{ aliases: ['alias/app'], policy }] }))
    const first = json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    assert.equal(first.Keys[0]!.Status, 'created')
    const second = json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    assert.deepEqual(second.Keys[0], { ...first.Keys[0], Status: 'existing' })
    // the policy is in force: the seeding user may no longer use the key
    const r = await sealbox(box, 'kms', 'encrypt', '--key-id', 'alias/app', '--plaintext', 'eA==')
    assert.equal(r.code, 5, r.stderr)
    assert.equal(json<{ Keys: unknown[] }>(await sealbox(box, 'kms', 'list-keys')).Keys.length, 1)
  })

  void test('an invalid policy or tag is refused with the file, before any key is made', async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    writeFileSync(
      file,
      JSON.stringify({
        keys: [{ aliases: ['alias/one'] }, { aliases: ['alias/two'], policy: { Statement: 'x' } }],
      }),
    )
    const r = await sealbox(box, 'kms', 'seed', file)
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /keys\[1\]\.policy/)
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ aliases: ['alias/one'], tags: { 'aws:x': 'y' } }] }),
    )
    const t = await sealbox(box, 'kms', 'seed', file)
    assert.equal(t.code, 2, t.stderr)
    assert.deepEqual(json<{ Keys: unknown[] }>(await sealbox(box, 'kms', 'list-keys')).Keys, [])
  })

  void test("aliases are held to CreateAlias's rules: a colon is accepted", async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    writeFileSync(file, JSON.stringify({ keys: [{ aliases: ['alias/team:orders/v1'] }] }))
    const seeded = json<Seeded>(await sealbox(box, 'kms', 'seed', file))
    assert.equal(seeded.Keys[0]!.Status, 'created')
    const r = await sealbox(box, 'kms', 'describe-key', '--key-id', 'alias/team:orders/v1')
    assert.equal(
      json<{ KeyMetadata: { KeyId: string } }>(r).KeyMetadata.KeyId,
      seeded.Keys[0]!.KeyId,
    )
  })

  void test('an alias, tag or description the KMS refuses is refused with its message, before any key is made', async () => {
    const calls = sandbox()
    const keyId = json<{ KeyMetadata: { KeyId: string } }>(
      await sealbox(calls, 'kms', 'create-key'),
    ).KeyMetadata.KeyId
    const refusal = async (...args: string[]) => {
      const r = await sealbox(calls, 'kms', ...args)
      assert.notEqual(r.code, 0, r.stderr)
      // the message after the error's name (`sealbox: error: ValidationException: …`)
      return /^sealbox: error: \w+: (.+)$/m.exec(r.stderr)![1]!
    }
    const tooManyTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v']))
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { aliases: ['alias/bad name'] },
        await refusal('create-alias', '--alias-name', 'alias/bad name', '--target-key-id', keyId),
      ],
      [
        { aliases: ['alias/aws/mine'] },
        await refusal('create-alias', '--alias-name', 'alias/aws/mine', '--target-key-id', keyId),
      ],
      [
        { aliases: ['alias/ok'], tags: { '': 'v' } },
        await refusal('tag-resource', '--key-id', keyId, '--tags', 'TagKey=,TagValue=v'),
      ],
      [{ aliases: ['alias/ok'], tags: tooManyTags }, 'Too many tags'],
      [
        { aliases: ['alias/ok'], description: 'd'.repeat(8193) },
        await refusal(
          'update-key-description',
          '--key-id',
          keyId,
          '--description',
          'd'.repeat(8193),
        ),
      ],
    ]
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    for (const [key, message] of cases) {
      // a valid key first: nothing is made unless the whole file is valid
      writeFileSync(file, JSON.stringify({ keys: [{ aliases: ['alias/first'] }, key] }))
      const r = await sealbox(box, 'kms', 'seed', file)
      assert.equal(r.code, 2, r.stderr)
      assert.ok(r.stderr.includes(`seed file: keys[1].`), r.stderr)
      assert.ok(r.stderr.includes(message), `${r.stderr} lacks: ${message}`)
    }
    assert.deepEqual(json<{ Keys: unknown[] }>(await sealbox(box, 'kms', 'list-keys')).Keys, [])
  })

  void test('sealbox serve --seed: the keys exist before the first request', async () => {
    const box = sandbox()
    const file = join(box.work, 'seed.json')
    writeFileSync(file, JSON.stringify(SEED))
    const principal = createPrincipal(box.home, 'app')
    const serve = await startServe(box.home, ['--workers', '2', '--seed', file])
    const client = new AwsKms({
      endpoint: serve.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: principal.AccessKeyId,
        secretAccessKey: principal.SecretAccessKey,
      },
      maxAttempts: 1,
    })
    try {
      const { keyMetadata } = await client.port.describeKey({ keyId: 'alias/orders' })
      assert.equal(keyMetadata.description, 'orders')
      assert.match(serve.stderr(), /seeded alias\/orders \(created\), alias\/archive \(created\)/)
    } finally {
      client.close()
      await serve.stop()
    }
  })
})
