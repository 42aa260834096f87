import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { Command, CommanderError } from 'commander'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import { KMS_OPERATION_NAMES, methodName, type KmsPort } from '../../kms/types/index.js'
import { registerKms } from '../commands/kms.js'
import type { Runtime } from '../runtime/index.js'
import { OPERATIONS, kebab } from './operation-table.js'

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const dir = mkdtempSync(join(tmpdir(), 'sealbox-kms-cli-'))

interface Call {
  op: string
  input: Record<string, unknown>
}

/** A KMS port that records each call and answers from `answers` (or `{}`). */
function recordingKms(answers: Record<string, (input: Record<string, unknown>) => unknown> = {}): {
  kms: KmsPort
  calls: Call[]
} {
  const calls: Call[] = []
  const kms = new Proxy({} as KmsPort, {
    get(_target, method: string) {
      if (method === 'then') return undefined // not a thenable
      return (input: Record<string, unknown>) => {
        const op = method[0]!.toUpperCase() + method.slice(1)
        calls.push({ op, input: structuredClone(input) })
        const answer = answers[op]
        return Promise.resolve().then(() => (answer === undefined ? {} : answer(input)))
      }
    },
  })
  return { kms, calls }
}

async function run(
  argv: string[],
  answers: Record<string, (input: Record<string, unknown>) => unknown> = {},
): Promise<{ stdout: string; calls: Call[] }> {
  const { kms, calls } = recordingKms(answers)
  let stdout = ''
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      stdout += chunk.toString('utf8')
      done()
    },
  })
  const runtime = {
    kms: () => Promise.resolve(kms),
    defaultKeyId: () => Promise.resolve('alias/sealbox-default'),
    advanceClock: (ms: number) => Promise.resolve(new Date(Date.UTC(2030, 0, 1) + ms)),
  } as unknown as Runtime
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
  registerKms(program, runtime, sink)
  await program.parseAsync(['node', 'sealbox', 'kms', ...argv])
  return { stdout, calls }
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const encryptAnswer = () => ({
  ciphertextBlob: Uint8Array.from([1, 2, 3, 250]),
  keyId: KEY_ARN,
  encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
})

void describe('sealbox kms: every operation is a subcommand with the AWS CLI flags', () => {
  void test('the table covers every port operation', () => {
    assert.deepEqual(Object.keys(OPERATIONS).sort(), [...KMS_OPERATION_NAMES].sort())
  })
  for (const op of KMS_OPERATION_NAMES) {
    void test(`${kebab(op)} reaches ${methodName(op)} with its flags`, async () => {
      const argv = [kebab(op)]
      for (const [member, spec] of Object.entries(
        OPERATIONS[op].params as Record<string, string>,
      )) {
        if (!spec.endsWith('!')) continue
        const type = spec.slice(0, -1)
        argv.push(`--${kebab(member)}`)
        if (type === 'blob') argv.push('AQID')
        else if (type === 'tags') argv.push('TagKey=a,TagValue=b')
        else argv.push('x')
      }
      const { calls } = await run(argv)
      assert.equal(calls.length, 1)
      assert.equal(calls[0]!.op, op)
    })
  }
  void test('kebab spells the AWS CLI names', () => {
    assert.equal(kebab('GenerateDataKeyWithoutPlaintext'), 'generate-data-key-without-plaintext')
    assert.equal(kebab('ReEncrypt'), 're-encrypt')
    assert.equal(kebab('pendingWindowInDays'), 'pending-window-in-days')
  })
})

void describe('sealbox kms: seed 002 command lines', () => {
  void test('encrypt --plaintext fileb:// --output text --query CiphertextBlob prints the base64 alone', async () => {
    const secret = file('secret.txt', 'my secret\n')
    const { stdout, calls } = await run(
      [
        'encrypt',
        '--key-id',
        KEY_ARN,
        '--plaintext',
        `fileb://${secret}`,
        '--output',
        'text',
        '--query',
        'CiphertextBlob',
      ],
      { Encrypt: encryptAnswer },
    )
    assert.equal(stdout, 'AQID+g==\n')
    assert.equal(calls[0]!.input['keyId'], KEY_ARN)
    assert.deepEqual(
      Buffer.from(calls[0]!.input['plaintext'] as Uint8Array).toString(),
      'my secret\n',
    )
  })

  void test('decrypt --ciphertext-blob fileb:// --output text --query Plaintext', async () => {
    const blob = file('encryptedsecret.txt', Uint8Array.from([1, 2, 3, 250]))
    const { stdout, calls } = await run(
      [
        'decrypt',
        '--ciphertext-blob',
        `fileb://${blob}`,
        '--output',
        'text',
        '--query',
        'Plaintext',
      ],
      {
        Decrypt: () => ({
          keyId: KEY_ARN,
          plaintext: Buffer.from('my secret\n'),
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          keyMaterialId: 'ab',
        }),
      },
    )
    assert.equal(Buffer.from(stdout.trim(), 'base64').toString(), 'my secret\n')
    assert.deepEqual([...(calls[0]!.input['ciphertextBlob'] as Uint8Array)], [1, 2, 3, 250])
    assert.equal(calls[0]!.input['keyId'], undefined)
  })

  void test('re-encrypt --destination-key-id prints the whole response as JSON', async () => {
    const blob = file('reenc.bin', Uint8Array.from([9]))
    const { stdout, calls } = await run(
      ['re-encrypt', '--destination-key-id', 'alias/new', '--ciphertext-blob', `fileb://${blob}`],
      {
        ReEncrypt: () => ({
          ciphertextBlob: Uint8Array.from([7, 7]),
          sourceKeyId: KEY_ARN,
          keyId: KEY_ARN,
          sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          sourceKeyMaterialId: 'a',
          destinationKeyMaterialId: 'b',
        }),
      },
    )
    assert.equal(calls[0]!.input['destinationKeyId'], 'alias/new')
    const printed = JSON.parse(stdout) as Record<string, unknown>
    assert.equal(printed['CiphertextBlob'], 'Bwc=')
    assert.equal(printed['SourceKeyId'], KEY_ARN)
    assert.ok(
      stdout.startsWith('{\n    "CiphertextBlob": "Bwc=",\n'),
      'four-space indentation as the AWS CLI',
    )
  })

  void test('enable-key-rotation prints nothing; get-key-rotation-status prints AWS names and ISO times', async () => {
    const enable = await run(['enable-key-rotation', '--key-id', KEY_ARN])
    assert.equal(enable.stdout, '')
    assert.deepEqual(enable.calls[0], { op: 'EnableKeyRotation', input: { keyId: KEY_ARN } })
    const status = await run(['get-key-rotation-status', '--key-id', KEY_ARN], {
      GetKeyRotationStatus: () => ({
        keyRotationEnabled: true,
        keyId: KEY_ARN,
        rotationPeriodInDays: 365,
        nextRotationDate: new Date(Date.UTC(2031, 1, 3, 4, 5, 6, 789)),
      }),
    })
    assert.deepEqual(JSON.parse(status.stdout), {
      KeyRotationEnabled: true,
      KeyId: KEY_ARN,
      RotationPeriodInDays: 365,
      NextRotationDate: '2031-02-03T04:05:06.789000+00:00',
    })
  })

  void test('generate-data-key --key-spec AES_256; text output sorts scalars on one line', async () => {
    const { stdout, calls } = await run(
      ['generate-data-key', '--key-id', KEY_ARN, '--key-spec', 'AES_256', '--output', 'text'],
      {
        GenerateDataKey: () => ({
          ciphertextBlob: Uint8Array.from([1]),
          plaintext: Uint8Array.from([2]),
          keyId: KEY_ARN,
          keyMaterialId: 'm',
        }),
      },
    )
    assert.deepEqual(calls[0]!.input, { keyId: KEY_ARN, keySpec: 'AES_256' })
    assert.equal(stdout, `AQ==\t${KEY_ARN}\tm\tAg==\n`)
  })
})

void describe('sealbox kms: reading values as the AWS CLI does', () => {
  void test('inline blobs are base64; raw-in-base64-out takes raw text; bad base64 is a usage error with a hint', async () => {
    const b64 = await run(['encrypt', '--key-id', 'k', '--plaintext', 'aGVsbG8='])
    assert.equal(Buffer.from(b64.calls[0]!.input['plaintext'] as Uint8Array).toString(), 'hello')
    const raw = await run([
      'encrypt',
      '--key-id',
      'k',
      '--plaintext',
      'hello',
      '--cli-binary-format',
      'raw-in-base64-out',
    ])
    assert.equal(Buffer.from(raw.calls[0]!.input['plaintext'] as Uint8Array).toString(), 'hello')
    await assert.rejects(
      run(['encrypt', '--key-id', 'k', '--plaintext', 'hello world']),
      (e) =>
        isSealboxError(e, 'UsageError') &&
        /--plaintext/.test(e.message) &&
        /fileb:\/\//.test(e.hint ?? ''),
    )
  })

  void test('file:// reads text for any parameter, including blobs (then base64)', async () => {
    const policy = file('policy.json', '{"Version":"2012-10-17"}')
    const put = await run([
      'put-key-policy',
      '--key-id',
      'k',
      '--policy',
      `file://${policy}`,
      '--policy-name',
      'default',
    ])
    assert.deepEqual(put.calls[0]!.input, {
      keyId: 'k',
      policy: '{"Version":"2012-10-17"}',
      policyName: 'default',
    })
    const b64 = file('b64.txt', 'AQID')
    const enc = await run(['encrypt', '--key-id', 'k', '--plaintext', `file://${b64}`])
    assert.deepEqual([...(enc.calls[0]!.input['plaintext'] as Uint8Array)], [1, 2, 3])
    const desc = file('desc.txt', 'from a file')
    const create = await run(['create-key', '--description', `file://${desc}`])
    assert.equal(create.calls[0]!.input['description'], 'from a file')
  })

  void test('a missing paramfile is a usage error naming the flag', async () => {
    await assert.rejects(
      run(['encrypt', '--key-id', 'k', '--plaintext', `fileb://${join(dir, 'nope')}`]),
      (e) => isSealboxError(e, 'UsageError') && /'--plaintext'.*no such file/.test(e.message),
    )
  })

  void test('--encryption-context as JSON, as k=v shorthand with quotes, and from a file', async () => {
    const json = await run([
      'encrypt',
      '--key-id',
      'k',
      '--plaintext',
      'AQ==',
      '--encryption-context',
      '{"Record":"User/123","a":"b=c"}',
    ])
    assert.deepEqual(json.calls[0]!.input['encryptionContext'], { Record: 'User/123', a: 'b=c' })
    const short = await run([
      'decrypt',
      '--ciphertext-blob',
      'AQ==',
      '--encryption-context',
      'Record=User/123, Dept="a,b" ,x=y=z',
    ])
    assert.deepEqual(short.calls[0]!.input['encryptionContext'], {
      Record: 'User/123',
      Dept: 'a,b',
      x: 'y=z',
    })
    const ctx = file('ctx.json', '{"k":"v"}')
    const fromFile = await run([
      'generate-data-key',
      '--key-id',
      'k',
      '--encryption-context',
      `file://${ctx}`,
    ])
    assert.deepEqual(fromFile.calls[0]!.input['encryptionContext'], { k: 'v' })
    for (const bad of ['novalue', 'a=1,', '{"a":1}', '{"a":', 'a=1,a=2', 'a="x']) {
      await assert.rejects(
        run(['encrypt', '--key-id', 'k', '--plaintext', 'AQ==', '--encryption-context', bad]),
        (e) => isSealboxError(e, 'UsageError') && /--encryption-context/.test(e.message),
        bad,
      )
    }
  })

  void test('re-encrypt takes source and destination contexts', async () => {
    const { calls } = await run([
      're-encrypt',
      '--ciphertext-blob',
      'AQ==',
      '--source-encryption-context',
      'a=1',
      '--destination-key-id',
      'k2',
      '--destination-encryption-context',
      '{"b":"2"}',
      '--source-key-id',
      'k1',
    ])
    assert.deepEqual(calls[0]!.input, {
      ciphertextBlob: Uint8Array.from([1]),
      sourceEncryptionContext: { a: '1' },
      destinationKeyId: 'k2',
      destinationEncryptionContext: { b: '2' },
      sourceKeyId: 'k1',
    })
  })

  void test('--tags as repeated shorthand or JSON; --tag-keys as values, commas or JSON', async () => {
    const short = await run([
      'create-key',
      '--tags',
      'TagKey=Purpose,TagValue=test',
      'TagKey=Owner,TagValue=',
    ])
    assert.deepEqual(short.calls[0]!.input['tags'], [
      { tagKey: 'Purpose', tagValue: 'test' },
      { tagKey: 'Owner', tagValue: '' },
    ])
    const json = await run([
      'tag-resource',
      '--key-id',
      'k',
      '--tags',
      '[{"TagKey":"a","TagValue":"b"}]',
    ])
    assert.deepEqual(json.calls[0]!.input['tags'], [{ tagKey: 'a', tagValue: 'b' }])
    await assert.rejects(run(['tag-resource', '--key-id', 'k', '--tags', 'Key=a,Value=b']), (e) =>
      isSealboxError(e, 'UsageError'),
    )
    for (const argv of [['a', 'b'], ['a,b'], ['["a","b"]']]) {
      const r = await run(['untag-resource', '--key-id', 'k', '--tag-keys', ...argv])
      assert.deepEqual(r.calls[0]!.input['tagKeys'], ['a', 'b'], argv.join(' '))
    }
  })

  void test('integers, booleans and timestamps', async () => {
    const gdk = await run([
      'generate-data-key',
      '--key-id',
      'k',
      '--number-of-bytes',
      '64',
      '--dry-run',
    ])
    assert.deepEqual(gdk.calls[0]!.input, { keyId: 'k', numberOfBytes: 64, dryRun: true })
    const no = await run(['encrypt', '--key-id', 'k', '--plaintext', 'AQ==', '--no-dry-run'])
    assert.equal(no.calls[0]!.input['dryRun'], false)
    await assert.rejects(
      run(['generate-random', '--number-of-bytes', 'ten']),
      (e) => isSealboxError(e, 'UsageError') && /not an integer/.test(e.message),
    )
    const iso = await run([
      'import-key-material',
      '--key-id',
      'k',
      '--import-token',
      'AQ==',
      '--encrypted-key-material',
      'Ag==',
      '--valid-to',
      '2030-01-02T03:04:05Z',
      '--expiration-model',
      'KEY_MATERIAL_EXPIRES',
    ])
    assert.deepEqual(iso.calls[0]!.input['validTo'], new Date('2030-01-02T03:04:05Z'))
    const epoch = await run([
      'import-key-material',
      '--key-id',
      'k',
      '--import-token',
      'AQ==',
      '--encrypted-key-material',
      'Ag==',
      '--valid-to',
      '1893456000',
    ])
    assert.deepEqual(epoch.calls[0]!.input['validTo'], new Date(1893456000 * 1000))
    await assert.rejects(
      run([
        'import-key-material',
        '--key-id',
        'k',
        '--import-token',
        'AQ==',
        '--encrypted-key-material',
        'Ag==',
        '--valid-to',
        'tomorrow',
      ]),
      (e) => isSealboxError(e, 'UsageError') && /--valid-to/.test(e.message),
    )
    const del = await run([
      'schedule-key-deletion',
      '--key-id',
      'k',
      '--pending-window-in-days',
      '7',
    ])
    assert.deepEqual(del.calls[0]!.input, { keyId: 'k', pendingWindowInDays: 7 })
    const rot = await run([
      'enable-key-rotation',
      '--key-id',
      'k',
      '--rotation-period-in-days',
      '90',
    ])
    assert.deepEqual(rot.calls[0]!.input, { keyId: 'k', rotationPeriodInDays: 90 })
    const imp = await run([
      'get-parameters-for-import',
      '--key-id',
      'k',
      '--wrapping-algorithm',
      'RSAES_OAEP_SHA_256',
      '--wrapping-key-spec',
      'RSA_2048',
    ])
    assert.deepEqual(imp.calls[0]!.input, {
      keyId: 'k',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
    })
    const create = await run([
      'create-key',
      '--origin',
      'EXTERNAL',
      '--description',
      'd',
      '--policy',
      '{}',
    ])
    assert.deepEqual(create.calls[0]!.input, { origin: 'EXTERNAL', description: 'd', policy: '{}' })
    const alias = await run(['create-alias', '--alias-name', 'alias/a', '--target-key-id', 'k'])
    assert.deepEqual(alias.calls[0]!.input, { aliasName: 'alias/a', targetKeyId: 'k' })
  })

  void test('--cli-input-json supplies members; flags override it; unknown members are refused', async () => {
    const { calls } = await run([
      'encrypt',
      '--cli-input-json',
      '{"KeyId":"from-json","Plaintext":"AQ=="}',
      '--key-id',
      'from-flag',
    ])
    assert.deepEqual(calls[0]!.input, { keyId: 'from-flag', plaintext: Uint8Array.from([1]) })
    await assert.rejects(
      run(['encrypt', '--cli-input-json', '{"Nope":1}']),
      (e) => isSealboxError(e, 'UsageError') && /Nope/.test(e.message),
    )
  })
})

void describe('sealbox kms: required flags, defaults and errors', () => {
  void test('missing required flags are named as the AWS CLI does, before any KMS call', async () => {
    await assert.rejects(
      run(['decrypt']),
      (e) =>
        isSealboxError(e, 'UsageError') &&
        e.message === 'the following arguments are required: --ciphertext-blob',
    )
    await assert.rejects(
      run(['create-alias']),
      (e) => isSealboxError(e, 'UsageError') && /--alias-name, --target-key-id/.test(e.message),
    )
  })

  void test('encrypt and generate-data-key without --key-id use the default key', async () => {
    const { calls } = await run(['generate-data-key', '--key-spec', 'AES_128'])
    assert.equal(calls[0]!.input['keyId'], 'alias/sealbox-default')
    await assert.rejects(
      run(['describe-key']),
      (e) => isSealboxError(e, 'UsageError') && /--key-id/.test(e.message),
    )
  })

  void test('an unknown flag is a commander usage error', async () => {
    await assert.rejects(
      run(['encrypt', '--key-id', 'k', '--plaintext', 'AQ==', '--bogus']),
      (e) => e instanceof CommanderError && /unknown option '--bogus'/.test(e.message),
    )
  })

  void test("a KMS failure keeps its code, and its message is prefixed with the exception's name", async () => {
    await assert.rejects(
      run(['describe-key', '--key-id', 'alias/none'], {
        DescribeKey: () => {
          throw new SealboxError('NotFoundException', "Alias 'alias/none' is not found.")
        },
      }),
      (e) =>
        isSealboxError(e, 'NotFoundException') &&
        e.message === "NotFoundException: Alias 'alias/none' is not found.",
    )
    await assert.rejects(
      run(['decrypt', '--ciphertext-blob', 'AQ=='], {
        Decrypt: () => {
          throw new SealboxError('InvalidCiphertextException', '')
        },
      }),
      (e) =>
        isSealboxError(e, 'InvalidCiphertextException') &&
        e.message === 'InvalidCiphertextException',
    )
    await assert.rejects(
      run(['list-keys'], {
        ListKeys: () => {
          throw new SealboxError(
            'IoError',
            'could not reach the KMS at http://127.0.0.1:1: ECONNREFUSED',
          )
        },
      }),
      (e) => isSealboxError(e, 'IoError') && e.message.startsWith('could not reach'),
    )
  })

  void test('an unsupported --output or a bad --query fails before the KMS is called', async () => {
    await assert.rejects(
      run(['list-keys', '--output', 'yaml']),
      (e) => isSealboxError(e, 'UsageError') && /yaml/.test(e.message),
    )
    await assert.rejects(
      run(['list-keys', '--query', 'Keys[?x]']),
      (e) => isSealboxError(e, 'UsageError') && /--query/.test(e.message),
    )
  })

  void test('plaintext is zeroed once printed', async () => {
    const plaintext = Uint8Array.from([5, 6, 7])
    const { stdout } = await run(['generate-random', '--number-of-bytes', '3'], {
      GenerateRandom: () => ({ plaintext }),
    })
    assert.equal(JSON.parse(stdout).Plaintext, 'BQYH')
    assert.deepEqual([...plaintext], [0, 0, 0])
  })
})

void describe('sealbox kms: output and --query', () => {
  const metadata = {
    keyMetadata: {
      awsAccountId: '111122223333',
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      arn: KEY_ARN,
      creationDate: new Date(Date.UTC(2030, 0, 1)),
      enabled: true,
      keyState: 'Enabled',
      encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    },
  }
  void test('describe-key JSON has AWS names (AWSAccountId) and ISO dates', async () => {
    const { stdout } = await run(['describe-key', '--key-id', 'k'], { DescribeKey: () => metadata })
    const km = (JSON.parse(stdout) as { KeyMetadata: Record<string, unknown> }).KeyMetadata
    assert.equal(km['AWSAccountId'], '111122223333')
    assert.equal(km['CreationDate'], '2030-01-01T00:00:00+00:00')
    assert.deepEqual(km['EncryptionAlgorithms'], ['SYMMETRIC_DEFAULT'])
  })
  void test('describe-key text output is laid out as the AWS CLI lays it out', async () => {
    const { stdout } = await run(['describe-key', '--key-id', 'k', '--output', 'text'], {
      DescribeKey: () => metadata,
    })
    assert.equal(
      stdout,
      `KEYMETADATA\t111122223333\t${KEY_ARN}\t2030-01-01T00:00:00+00:00\tTrue\t1234abcd-12ab-34cd-56ef-1234567890ab\tEnabled\n` +
        'ENCRYPTIONALGORITHMS\tSYMMETRIC_DEFAULT\n',
    )
  })
  void test('nested, indexed, projected and multi-select queries', async () => {
    const q = async (query: string, output = 'json') =>
      (
        await run(['describe-key', '--key-id', 'k', '--query', query, '--output', output], {
          DescribeKey: () => metadata,
        })
      ).stdout
    assert.equal(await q('KeyMetadata.KeyId', 'text'), '1234abcd-12ab-34cd-56ef-1234567890ab\n')
    assert.equal(await q('KeyMetadata.KeyId'), '"1234abcd-12ab-34cd-56ef-1234567890ab"\n')
    assert.equal(await q('KeyMetadata.EncryptionAlgorithms[0]', 'text'), 'SYMMETRIC_DEFAULT\n')
    assert.equal(
      await q('KeyMetadata.[KeyId,KeyState]', 'text'),
      '1234abcd-12ab-34cd-56ef-1234567890ab\tEnabled\n',
    )
    assert.equal(await q('KeyMetadata.Missing', 'text'), 'None\n')
    assert.equal(
      await q('{Id: KeyMetadata.KeyId, On: KeyMetadata.Enabled}'),
      '{\n    "Id": "1234abcd-12ab-34cd-56ef-1234567890ab",\n    "On": true\n}\n',
    )
  })

  const pages: Record<
    string,
    { keys: Array<{ keyId: string; keyArn: string }>; truncated: boolean; nextMarker?: string }
  > = {
    '': {
      keys: [
        { keyId: 'a', keyArn: 'arn:a' },
        { keyId: 'b', keyArn: 'arn:b' },
      ],
      truncated: true,
      nextMarker: 'm1',
    },
    m1: {
      keys: [
        { keyId: 'c', keyArn: 'arn:c' },
        { keyId: 'd', keyArn: 'arn:d' },
      ],
      truncated: true,
      nextMarker: 'm2',
    },
    m2: { keys: [{ keyId: 'e', keyArn: 'arn:e' }], truncated: false },
  }
  const listKeys = {
    ListKeys: (input: Record<string, unknown>) =>
      pages[(input['marker'] as string | undefined) ?? '']!,
  }

  void test('list-keys reads every page and prints one list, as the AWS CLI does', async () => {
    const { stdout, calls } = await run(
      ['list-keys', '--query', 'Keys[*].KeyId', '--output', 'text'],
      listKeys,
    )
    assert.equal(stdout, 'a\tb\tc\td\te\n')
    assert.equal(calls.length, 3)
    const json = JSON.parse((await run(['list-keys'], listKeys)).stdout) as Record<string, unknown>
    assert.deepEqual(Object.keys(json), ['Keys'])
  })
  void test('--limit or --marker asks for one page and shows NextMarker and Truncated', async () => {
    const { stdout, calls } = await run(['list-keys', '--limit', '2'], listKeys)
    assert.deepEqual(
      calls.map((c) => c.input),
      [{ limit: 2 }],
    )
    const printed = JSON.parse(stdout) as Record<string, unknown>
    assert.equal(printed['NextMarker'], 'm1')
    assert.equal(printed['Truncated'], true)
    const next = await run(['list-keys', '--marker', 'm2'], listKeys)
    assert.deepEqual(JSON.parse(next.stdout), {
      Keys: [{ KeyId: 'e', KeyArn: 'arn:e' }],
      Truncated: false,
    })
  })
  void test('--max-items prints a NextToken that --starting-token continues from', async () => {
    const first = JSON.parse((await run(['list-keys', '--max-items', '3'], listKeys)).stdout) as {
      Keys: Array<{ KeyId: string }>
      NextToken: string
    }
    assert.deepEqual(
      first.Keys.map((k) => k.KeyId),
      ['a', 'b', 'c'],
    )
    const rest = JSON.parse(
      (await run(['list-keys', '--starting-token', first.NextToken], listKeys)).stdout,
    ) as { Keys: Array<{ KeyId: string }>; NextToken?: string }
    assert.deepEqual(
      rest.Keys.map((k) => k.KeyId),
      ['d', 'e'],
    )
    assert.equal(rest.NextToken, undefined)
    const two = JSON.parse((await run(['list-keys', '--max-items', '2'], listKeys)).stdout) as {
      NextToken: string
    }
    const after = JSON.parse(
      (await run(['list-keys', '--starting-token', two.NextToken, '--max-items', '2'], listKeys))
        .stdout,
    ) as { Keys: Array<{ KeyId: string }> }
    assert.deepEqual(
      after.Keys.map((k) => k.KeyId),
      ['c', 'd'],
    )
    await assert.rejects(run(['list-keys', '--starting-token', 'garbage'], listKeys), (e) =>
      isSealboxError(e, 'UsageError'),
    )
  })
})

void describe('sealbox kms advance-clock', () => {
  void test('adds days, hours and seconds and prints the new time', async () => {
    const { stdout } = await run(['advance-clock', '--days', '1', '--hours', '2', '--seconds', '3'])
    assert.equal(stdout, '2030-01-02T02:00:03.000Z\n')
  })
  void test('refuses no amount and negative or non-numeric amounts', async () => {
    for (const argv of [[], ['--days', '-1'], ['--hours', 'x']]) {
      await assert.rejects(
        run(['advance-clock', ...argv]),
        (e) => isSealboxError(e, 'UsageError'),
        argv.join(' '),
      )
    }
  })
})
