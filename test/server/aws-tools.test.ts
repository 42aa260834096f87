import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import {
  cliEnv,
  createPrincipal,
  runCli,
  startServe,
  tempHome,
  type Principal,
  type ServeProcess,
} from './support/cli.js'
import { findOnPath } from './support/find-on-path.js'
import { runProcess, type Run } from './support/run-process.js'

// Real AWS tools, unchanged, against `sealbox serve`: the AWS CLI (botocore) and the AWS
// Encryption SDK for JavaScript over the AWS SDK v3 KMS client.

const REGION = 'us-east-1'
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

const awsCli = findOnPath('aws')
const awsSkip = awsCli === undefined ? { skip: 'aws CLI is not on the PATH' } : {}

function fromBase64(text: string): Buffer {
  const trimmed = text.trim()
  assert.match(trimmed, BASE64, `base64 output: ${text}`)
  return Buffer.from(trimmed, 'base64')
}

void describe('the AWS CLI against sealbox serve', () => {
  let home: string
  let serve: ServeProcess | undefined
  let alice: Principal
  let keyId: string | undefined

  /** Runs `aws kms ...` (asynchronously) with only the given credentials and this server. */
  const aws = (args: string[], credentials: Partial<Record<string, string>> = {}): Promise<Run> => {
    const env = cliEnv(home, {
      AWS_ACCESS_KEY_ID: credentials['AWS_ACCESS_KEY_ID'] ?? alice.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials['AWS_SECRET_ACCESS_KEY'] ?? alice.SecretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
      AWS_MAX_ATTEMPTS: '1',
    })
    return runProcess(awsCli!, ['kms', ...args, '--endpoint-url', serve!.url], { env, cwd: home })
  }

  const ok = async (args: string[]): Promise<string> => {
    const r = await aws(args)
    assert.equal(r.status, 0, `aws kms ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }

  const fails = async (
    args: string[],
    error: string,
    credentials?: Partial<Record<string, string>>,
  ): Promise<void> => {
    const r = await aws(args, credentials)
    assert.notEqual(r.status, 0, `aws kms ${args.join(' ')} fails`)
    assert.match(r.stderr, new RegExp(`\\(${error}\\) when calling`), r.stderr)
  }

  before(async () => {
    if (awsCli === undefined) return
    home = tempHome()
    alice = createPrincipal(home, 'alice')
    serve = await startServe(home, ['--workers', '1'])
  })

  after(async () => {
    if (serve !== undefined) assert.equal(await serve.stop(), 0)
  })

  const key = (): string => {
    assert.ok(keyId !== undefined, 'the key of the first test exists')
    return keyId
  }

  void test('create-key, create-alias, list-aliases', awsSkip, async () => {
    const created = JSON.parse(await ok(['create-key', '--description', 'x'])) as {
      KeyMetadata: Record<string, unknown>
    }
    const meta = created.KeyMetadata
    assert.match(
      String(meta['KeyId']),
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
    assert.equal(meta['Arn'], `arn:aws:kms:${REGION}:000000000000:key/${String(meta['KeyId'])}`)
    assert.equal(meta['Description'], 'x')
    assert.equal(meta['KeyState'], 'Enabled')
    keyId = String(meta['KeyId'])

    assert.equal(
      await ok(['create-alias', '--alias-name', 'alias/cli-test', '--target-key-id', keyId]),
      '',
    )
    const listed = JSON.parse(await ok(['list-aliases'])) as {
      Aliases: Array<Record<string, unknown>>
    }
    const alias = listed.Aliases.find((a) => a['AliasName'] === 'alias/cli-test')
    assert.ok(alias !== undefined, JSON.stringify(listed))
    assert.equal(alias['TargetKeyId'], keyId)
    assert.equal(alias['AliasArn'], `arn:aws:kms:${REGION}:000000000000:alias/cli-test`)
  })

  void test(
    'encrypt and decrypt files through an alias with an encryption context',
    awsSkip,
    async () => {
      const plaintext = Buffer.from('sealed by the AWS CLI\n\x00\xff binary too', 'latin1')
      const plainFile = join(home, 'plain.bin')
      writeFileSync(plainFile, plaintext)
      const blob = fromBase64(
        await ok([
          'encrypt',
          '--key-id',
          'alias/cli-test',
          '--plaintext',
          `fileb://${plainFile}`,
          '--encryption-context',
          'purpose=test',
          '--query',
          'CiphertextBlob',
          '--output',
          'text',
        ]),
      )
      assert.ok(blob.length > plaintext.length)
      const blobFile = join(home, 'blob.bin')
      writeFileSync(blobFile, blob)
      const decrypted = (context: string) => [
        'decrypt',
        '--ciphertext-blob',
        `fileb://${blobFile}`,
        '--encryption-context',
        context,
        '--query',
        'Plaintext',
        '--output',
        'text',
      ]
      const [back] = await Promise.all([
        ok(decrypted('purpose=test')),
        fails(decrypted('purpose=other'), 'InvalidCiphertextException'),
      ])
      assert.deepEqual(fromBase64(back), plaintext)
    },
  )

  void test('generate-data-key: a 32-byte key whose blob decrypt opens', awsSkip, async () => {
    const generated = JSON.parse(
      await ok(['generate-data-key', '--key-id', key(), '--key-spec', 'AES_256']),
    ) as Record<string, string>
    const plaintext = fromBase64(generated['Plaintext']!)
    assert.equal(plaintext.length, 32)
    assert.equal(generated['KeyId'], `arn:aws:kms:${REGION}:000000000000:key/${key()}`)
    const blobFile = join(home, 'data-key.bin')
    writeFileSync(blobFile, fromBase64(generated['CiphertextBlob']!))
    const back = await ok([
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
      '--query',
      'Plaintext',
      '--output',
      'text',
    ])
    assert.deepEqual(fromBase64(back), plaintext)
  })

  void test(
    'disable-key refuses encrypt with DisabledException; enable-key restores it',
    awsSkip,
    async () => {
      writeFileSync(join(home, 'small.txt'), 'x')
      const encrypt = ['encrypt', '--key-id', key(), '--plaintext', 'fileb://small.txt']
      assert.equal(await ok(['disable-key', '--key-id', key()]), '')
      await fails(encrypt, 'DisabledException')
      assert.equal(await ok(['enable-key', '--key-id', key()]), '')
      const encrypted = JSON.parse(await ok(encrypt)) as Record<string, string>
      assert.match(encrypted['CiphertextBlob']!, BASE64)
    },
  )

  void test(
    'a wrong secret is InvalidSignatureException; an unknown access key is UnrecognizedClientException',
    awsSkip,
    async () => {
      await Promise.all([
        fails(['list-keys'], 'InvalidSignatureException', {
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        }),
        fails(['list-keys'], 'UnrecognizedClientException', {
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        }),
      ])
    },
  )

  void test(
    'create-grant with shorthand constraints, list-grants, retire-grant, revoke-grant',
    awsSkip,
    async () => {
      const created = JSON.parse(
        await ok([
          'create-grant',
          '--key-id',
          key(),
          '--grantee-principal',
          'arn:aws:iam::444455556666:user/grantee',
          '--operations',
          'Encrypt',
          'Decrypt',
          '--retiring-principal',
          alice.Arn,
          '--constraints',
          'EncryptionContextSubset={Department=IT}',
          '--name',
          'cli-grant',
        ]),
      ) as Record<string, string>
      assert.match(created['GrantId']!, /^[0-9a-f]{64}$/)
      const listed = JSON.parse(await ok(['list-grants', '--key-id', key()])) as {
        Grants: Array<Record<string, unknown>>
      }
      assert.equal(listed.Grants.length, 1)
      assert.deepEqual(listed.Grants[0]!['Constraints'], {
        EncryptionContextSubset: { Department: 'IT' },
      })
      assert.deepEqual(listed.Grants[0]!['Operations'], ['Encrypt', 'Decrypt'])
      assert.equal(await ok(['retire-grant', '--grant-token', created['GrantToken']!]), '')
      const second = JSON.parse(
        await ok([
          'create-grant',
          '--key-id',
          key(),
          '--grantee-principal',
          'arn:aws:iam::444455556666:user/grantee',
          '--operations',
          'DescribeKey',
        ]),
      ) as Record<string, string>
      assert.equal(
        await ok(['revoke-grant', '--key-id', key(), '--grant-id', second['GrantId']!]),
        '',
      )
      const after = JSON.parse(await ok(['list-grants', '--key-id', key()])) as {
        Grants: unknown[]
      }
      assert.deepEqual(after.Grants, [])
      await fails(
        ['retire-grant', '--grant-token', created['GrantToken']!],
        'InvalidGrantTokenException',
      )
    },
  )

  void test('schedule-key-deletion puts the key in PendingDeletion', awsSkip, async () => {
    const scheduled = JSON.parse(
      await ok(['schedule-key-deletion', '--key-id', key(), '--pending-window-in-days', '7']),
    ) as Record<string, unknown>
    assert.equal(scheduled['KeyState'], 'PendingDeletion')
    assert.equal(scheduled['PendingWindowInDays'], 7)
    const described = JSON.parse(await ok(['describe-key', '--key-id', key()])) as {
      KeyMetadata: Record<string, unknown>
    }
    assert.equal(described.KeyMetadata['KeyState'], 'PendingDeletion')
    assert.equal(described.KeyMetadata['Enabled'], false)
    assert.equal(typeof described.KeyMetadata['DeletionDate'], 'number')
  })
})

void describe('the AWS Encryption SDK (KmsKeyringNode over the AWS SDK KMS client) against sealbox serve', () => {
  const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const context = { purpose: 'interop', tenant: 'acme' }
  const contextFlags = Object.entries(context).flatMap(([k, v]) => ['--context', `${k}=${v}`])
  let home: string
  let serve: ServeProcess
  let alice: Principal
  let kms: KMS
  let arn: string

  // The keyring's client is the real SDK v3 client, sending signed HTTP requests to the server.
  const keyring = (generatorKeyId: string | undefined, keyIds: string[]): KmsKeyringNode =>
    new KmsKeyringNode({
      ...(generatorKeyId === undefined ? {} : { generatorKeyId }),
      keyIds,
      // The SDK's client type is pinned to its own @aws-sdk/client-kms version; the shape is what counts.
      clientProvider: (() => kms) as never,
    })

  before(async () => {
    home = tempHome()
    alice = createPrincipal(home, 'alice')
    serve = await startServe(home, ['--workers', '1'])
    kms = new KMS({
      endpoint: serve.url,
      region: REGION,
      credentials: { accessKeyId: alice.AccessKeyId, secretAccessKey: alice.SecretAccessKey },
      maxAttempts: 1,
    })
    const created = await kms.createKey({ Description: 'esdk interop' })
    arn = created.KeyMetadata!.Arn!
  })

  after(async () => {
    kms?.destroy()
    if (serve !== undefined) assert.equal(await serve.stop(), 0)
  })

  /** How many `operation` calls the audit log has from the principal (only the server acts as it). */
  const callsByAlice = (operation: string): number => {
    const r = runCli(home, [
      'audit',
      'ls',
      '--operation',
      operation,
      '--principal',
      alice.Arn,
      '--output',
      'json',
    ])
    assert.equal(r.status, 0, r.stderr)
    return (JSON.parse(r.stdout) as unknown[]).length
  }

  void test('ESDK encrypt through the server; sealbox decrypt opens the file', async () => {
    const plaintext = Buffer.from('from the AWS Encryption SDK to sealbox\n'.repeat(100))
    const { result, messageHeader } = await esdk.encrypt(keyring(arn, []), plaintext, {
      encryptionContext: context,
    })
    assert.equal(messageHeader.encryptedDataKeys.length, 1)
    assert.equal(messageHeader.encryptedDataKeys[0]!.providerInfo, arn)
    const sealed = join(home, 'from-esdk.sealed')
    const opened = join(home, 'from-esdk.txt')
    writeFileSync(sealed, result)

    const decrypted = runCli(home, ['decrypt', sealed, '-o', opened, ...contextFlags])
    assert.equal(decrypted.status, 0, decrypted.stderr)
    assert.deepEqual(readFileSync(opened), plaintext)
    // the data key came from the server, acting for the principal that signed the request
    assert.equal(callsByAlice('GenerateDataKey'), 1)

    const wrongContext = runCli(home, [
      'decrypt',
      sealed,
      '-o',
      '-',
      '--context',
      'purpose=interop',
    ])
    assert.notEqual(
      wrongContext.status,
      0,
      "sealbox refuses a context that is not exactly the message's",
    )
  })

  void test('sealbox encrypt; ESDK decrypt through the server gives the plaintext and context', async () => {
    const plaintext = Buffer.from('from sealbox to the AWS Encryption SDK\n'.repeat(100))
    const plainFile = join(home, 'to-esdk.txt')
    const sealed = join(home, 'to-esdk.txt.sealed')
    writeFileSync(plainFile, plaintext)
    const encrypted = runCli(home, [
      'encrypt',
      plainFile,
      '-o',
      sealed,
      '--key-id',
      arn,
      ...contextFlags,
    ])
    assert.equal(encrypted.status, 0, encrypted.stderr)

    const decryptsBefore = callsByAlice('Decrypt')
    const opened = await esdk.decrypt(keyring(undefined, [arn]), readFileSync(sealed))
    assert.deepEqual(opened.plaintext, plaintext)
    assert.deepEqual({ ...opened.messageHeader.encryptionContext }, context)
    assert.equal(
      callsByAlice('Decrypt'),
      decryptsBefore + 1,
      'the data key was decrypted by the server',
    )
  })
})
