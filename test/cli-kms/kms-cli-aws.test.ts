import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sandbox, sealbox, shell, startMotoKms, type Result } from './cli.js'

function ok(r: Result): Result {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  return r
}

// The same command lines against an AWS KMS API endpoint (moto_server), through --kms aws.
const moto = await startMotoKms()

void describe(
  "seed 002's command lines against an AWS KMS API (moto_server)",
  { skip: moto === undefined ? 'moto_server is not installed' : false },
  () => {
    const box = sandbox()
    let keyId = ''
    before(async () => {
      Object.assign(box.env, {
        SEALBOX_KMS: 'aws',
        AWS_ENDPOINT_URL_KMS: moto!.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      })
      keyId = ok(
        await sealbox(
          box,
          'kms',
          'create-key',
          '--description',
          'seed 002',
          '--query',
          'KeyMetadata.KeyId',
          '--output',
          'text',
        ),
      ).stdout.trim()
      writeFileSync(join(box.work, 'secret.txt'), 'top secret\n')
    })
    after(() => moto?.stop())

    void test('encrypt, decrypt and re-encrypt pipelines', async () => {
      ok(
        await shell(
          box,
          `sealbox kms encrypt --key-id ${keyId} --plaintext fileb://secret.txt --output text --query CiphertextBlob | base64 --decode > encryptedsecret.txt\n` +
            'sealbox kms decrypt --ciphertext-blob fileb://encryptedsecret.txt --output text --query Plaintext | base64 --decode > decryptedsecret.txt\n' +
            `sealbox kms re-encrypt --destination-key-id ${keyId} --ciphertext-blob fileb://encryptedsecret.txt | base64 > newencryption.txt`,
        ),
      )
      assert.equal(readFileSync(join(box.work, 'decryptedsecret.txt'), 'utf8'), 'top secret\n')
      const reencrypted = JSON.parse(
        Buffer.from(readFileSync(join(box.work, 'newencryption.txt'), 'utf8'), 'base64').toString(),
      ) as Record<string, string>
      assert.match(reencrypted['KeyId']!, new RegExp(keyId))
    })

    void test('rotation and data keys', async () => {
      assert.equal(
        ok(await sealbox(box, 'kms', 'enable-key-rotation', '--key-id', keyId)).stdout,
        '',
      )
      const status = JSON.parse(
        ok(await sealbox(box, 'kms', 'get-key-rotation-status', '--key-id', keyId)).stdout,
      ) as Record<string, unknown>
      assert.equal(status['KeyRotationEnabled'], true)
      const dk = JSON.parse(
        ok(
          await sealbox(
            box,
            'kms',
            'generate-data-key',
            '--key-id',
            keyId,
            '--key-spec',
            'AES_256',
          ),
        ).stdout,
      ) as Record<string, string>
      assert.equal(Buffer.from(dk['Plaintext']!, 'base64').length, 32)
    })

    void test('--endpoint-url and --profile pick the endpoint as the AWS CLI does', async () => {
      const env = { ...box.env }
      delete env['SEALBOX_KMS']
      delete env['AWS_ENDPOINT_URL_KMS']
      delete env['AWS_ACCESS_KEY_ID']
      delete env['AWS_SECRET_ACCESS_KEY']
      writeFileSync(
        join(box.env['HOME']!, 'credentials'),
        '[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      )
      env['AWS_SHARED_CREDENTIALS_FILE'] = join(box.env['HOME']!, 'credentials')
      const r = ok(
        await sealbox(
          { work: box.work, env },
          'kms',
          'describe-key',
          '--key-id',
          keyId,
          '--endpoint-url',
          moto!.endpoint,
          '--profile',
          'moto',
          '--query',
          'KeyMetadata.KeyId',
          '--output',
          'text',
        ),
      )
      assert.equal(r.stdout.trim(), keyId)
    })

    void test('an unknown key is NotFoundException with exit code 3', async () => {
      const r = await sealbox(
        box,
        'kms',
        'describe-key',
        '--key-id',
        '00000000-0000-0000-0000-000000000000',
      )
      assert.equal(r.code, 3, r.stderr)
      assert.match(r.stderr, /^sealbox: error: NotFoundException: /m)
    })
  },
)
