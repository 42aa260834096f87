import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
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

// Terraform's AWS provider, unchanged, managing keys in `sealbox serve`: create, read back with
// no drift, update, encrypt and decrypt through it, destroy. The provider must already be
// installed where Terraform finds it offline (a local mirror or its CLI configuration); the
// test never downloads it.

const terraform = findOnPath('terraform')
const REGION = 'us-east-1'
// Terraform's errors when the provider is neither installed nor reachable
const PROVIDER_NOT_INSTALLED = /Failed to (query available provider packages|install provider)/

function config(url: string, p: Principal, description: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region                      = "${REGION}"
  access_key                  = "${p.AccessKeyId}"
  secret_key                  = "${p.SecretAccessKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    kms = "${url}"
  }
}
resource "aws_kms_key" "orders" {
  description             = "${description}"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  rotation_period_in_days = 180
  tags                    = { team = "payments" }
}
resource "aws_kms_alias" "orders" {
  name          = "alias/orders"
  target_key_id = aws_kms_key.orders.key_id
}
resource "aws_kms_ciphertext" "db" {
  key_id    = aws_kms_key.orders.arn
  plaintext = "hunter2"
  context   = { app = "orders" }
}
data "aws_kms_secrets" "db" {
  secret {
    name    = "db"
    payload = aws_kms_ciphertext.db.ciphertext_blob
    context = { app = "orders" }
  }
}
output "key_arn" {
  value = aws_kms_key.orders.arn
}
output "decrypted" {
  value     = data.aws_kms_secrets.db.plaintext["db"]
  sensitive = true
}
`
}

void describe('Terraform (hashicorp/aws) against sealbox serve', () => {
  let home: string
  let serve: ServeProcess | undefined
  let tf: Principal
  let notInstalled: string | undefined

  const run = (args: string[]): Promise<Run> => {
    const env = cliEnv(home, {
      HOME: homedir(),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      // anything that would leave the machine (registry, checkpoint, AWS) fails at once
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
    })
    return runProcess(terraform!, [...args, '-no-color'], { env, cwd: join(home, 'tf') })
  }
  const sealbox = (args: string[]) => {
    const r = runCli(home, ['kms', ...args])
    assert.equal(r.status, 0, r.stderr)
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>
  }

  before(async () => {
    if (terraform === undefined) return
    home = tempHome()
    tf = createPrincipal(home, 'terraform')
    serve = await startServe(home, ['--workers', '1'])
    mkdirSync(join(home, 'tf'))
    writeFileSync(join(home, 'tf', 'main.tf'), config(serve.url, tf, 'orders'))
    const init = await run(['init', '-input=false'])
    if (init.status === 0) return
    // only a provider it cannot install offline skips the test; any other failure is one
    if (!PROVIDER_NOT_INSTALLED.test(init.stderr)) assert.fail(`terraform init: ${init.stderr}`)
    notInstalled = `terraform init could not install hashicorp/aws offline: ${(
      init.stderr.split('\n').find((l) => l.includes('Error')) ?? init.stderr
    ).trim()}`
  })
  after(async () => {
    await serve?.stop()
  })

  const skipped = (t: { skip: (reason: string) => void }): boolean => {
    const reason = terraform === undefined ? 'terraform is not on the PATH' : notInstalled
    if (reason === undefined) return false
    t.skip(reason)
    return true
  }

  void test(
    'apply creates the key, alias and ciphertext; plan sees no drift; an update applies; destroy schedules deletion',
    { timeout: 280_000 },
    async (t) => {
      if (skipped(t)) return
      const applied = await run(['apply', '-auto-approve', '-input=false'])
      assert.equal(applied.status, 0, applied.stderr)
      const outputs = await run(['output', '-json'])
      assert.equal(outputs.status, 0, outputs.stderr)
      const out = JSON.parse(outputs.stdout) as Record<string, { value: string }>
      assert.equal(out['decrypted']!.value, 'hunter2', 'decrypted through the key Terraform made')
      const keyArn = out['key_arn']!.value
      assert.match(keyArn, /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/)

      const described = sealbox(['describe-key', '--key-id', 'alias/orders'])['KeyMetadata']!
      assert.equal(described['Arn'], keyArn)
      assert.equal(described['Description'], 'orders')
      assert.equal(described['KeyState'], 'Enabled')
      const rotation = sealbox(['get-key-rotation-status', '--key-id', keyArn])
      assert.equal(rotation['KeyRotationEnabled'], true)
      assert.equal(rotation['RotationPeriodInDays'], 180)
      assert.deepEqual(sealbox(['list-resource-tags', '--key-id', keyArn])['Tags'], [
        { TagKey: 'team', TagValue: 'payments' },
      ])

      const plan = await run(['plan', '-detailed-exitcode', '-input=false'])
      assert.equal(plan.status, 0, `terraform sees drift:\n${plan.stdout}\n${plan.stderr}`)

      writeFileSync(join(home, 'tf', 'main.tf'), config(serve!.url, tf, 'orders, v2'))
      const updated = await run(['apply', '-auto-approve', '-input=false'])
      assert.equal(updated.status, 0, updated.stderr)
      assert.match(updated.stdout, /1 changed, 0 destroyed/)
      assert.equal(
        sealbox(['describe-key', '--key-id', keyArn])['KeyMetadata']!['Description'],
        'orders, v2',
      )

      const destroyed = await run(['destroy', '-auto-approve', '-input=false'])
      assert.equal(destroyed.status, 0, destroyed.stderr)
      const gone = sealbox(['describe-key', '--key-id', keyArn])['KeyMetadata']!
      assert.equal(gone['KeyState'], 'PendingDeletion')
      assert.equal(
        (sealbox(['list-aliases'])['Aliases'] as unknown as Array<{ AliasName: string }>).some(
          (a) => a.AliasName === 'alias/orders',
        ),
        false,
      )

      // every call Terraform made was answered without an error, and audited as its principal
      const listed = runCli(home, ['audit', 'ls', '--principal', tf.Arn, '--output', 'json'])
      const events = JSON.parse(listed.stdout) as Array<{ operation: string; outcome: string }>
      assert.ok(events.length > 10)
      assert.deepEqual(
        events.filter((e) => e.outcome !== 'ok'),
        [],
        'no call of the provider was refused',
      )
      for (const op of [
        'CreateKey',
        'Encrypt',
        'Decrypt',
        'UpdateKeyDescription',
        'ScheduleKeyDeletion',
      ])
        assert.ok(
          events.some((e) => e.operation === op),
          `${op} was called`,
        )
    },
  )
})
