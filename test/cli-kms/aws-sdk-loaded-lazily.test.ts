import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { sandbox, sealbox } from './cli.js'

// A module hook that makes importing the AWS SDK's KMS client fail: a command that never needs
// AWS KMS must run without it, and one that does must reach it (so the hook itself works).
const HOOK = `
import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    if (specifier === '@aws-sdk/client-kms') throw new Error('@aws-sdk/client-kms was imported')
    return next(specifier, context)
  }\`))
`

void test('the AWS SDK is loaded only when the AWS KMS backend is used', async () => {
  const box = sandbox()
  const hook = join(box.work, 'no-aws-sdk.mjs')
  writeFileSync(hook, HOOK)
  writeFileSync(join(box.work, 'plain.txt'), 'on the embedded KMS')
  box.env['NODE_OPTIONS'] = `--import ${hook}`

  const local = await sealbox(box, 'encrypt', 'plain.txt', '-o', 'plain.txt.sealed')
  assert.equal(local.code, 0, local.stderr)
  const back = await sealbox(box, 'decrypt', 'plain.txt.sealed', '-o', '-')
  assert.equal(back.stdout, 'on the embedded KMS', back.stderr)

  Object.assign(box.env, {
    SEALBOX_KMS: 'aws',
    AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'unused',
    AWS_SECRET_ACCESS_KEY: 'unused',
  })
  const remote = await sealbox(box, 'kms', 'list-keys')
  assert.notEqual(remote.code, 0)
  assert.match(remote.stderr, /@aws-sdk\/client-kms was imported/)
})
