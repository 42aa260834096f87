import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { openLocalKms } from '../../src/cli/runtime/local-kms.js'

const run = promisify(execFile)
const WORKERS = 8
const ROUNDS = 25

test('8 processes share one keystore: no error, nothing lost, the audit chain verifies', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sealbox-conc-'))
  const script = fileURLToPath(new URL('./concurrency-worker.js', import.meta.url))
  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) =>
      run(process.execPath, [script, home, String(w), String(ROUNDS)]),
    ),
  )
  const calls = results.map((r) => (JSON.parse(r.stdout) as { calls: number }).calls)
  const settings = {
    home,
    kms: 'local' as const,
    keyId: undefined,
    kmsEndpoint: undefined,
    region: undefined,
    secretsLocation: undefined,
  }
  const local = openLocalKms(settings, { SEALBOX_ACCOUNT_ID: '000000000000' })
  try {
    const keys = await local.kms.listKeys({ limit: 1000 })
    // every worker's keys plus exactly one default key, however the workers raced to create it
    assert.equal(keys.keys.length, WORKERS * ROUNDS + 1)
    const aliases = (await local.kms.listAliases({})).aliases.map((a) => a.aliasName).sort()
    assert.deepEqual(aliases, [
      'alias/sealbox-default',
      'alias/shared-0',
      'alias/shared-1',
      'alias/shared-2',
    ])
    const verified = local.audit.verify()
    assert.equal(verified.ok, true)
    const workerCalls = calls.reduce((a, b) => a + b, 0)
    const recorded = [...local.audit.query({})].filter((e) =>
      ['CreateKey', 'Encrypt', 'Decrypt', 'GenerateDataKey', 'CreateAlias', 'UpdateAlias'].includes(
        e.operation,
      ),
    )
    // CreateKey/CreateAlias of the default key are recorded too: one each
    assert.equal(recorded.length, workerCalls + 2)
  } finally {
    local.close()
  }
})
