// Embedded KMS speed: in-process GenerateDataKey and Decrypt per second (audit log on, real
// SQLite keystore), and the cold start of `sealbox kms generate-data-key` beside `node -e 0`.
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openLocalKms } from '../src/cli/runtime/local-kms.js'

const home = mkdtempSync(join(tmpdir(), 'sealbox-bench-kms-'))
const settings = {
  home,
  kms: 'local' as const,
  keyId: undefined,
  kmsEndpoint: undefined,
  region: undefined,
  secretsLocation: undefined,
}
const local = openLocalKms(settings, {})
const keyId = await local.defaultKeyId()
const context = { Record: 'User/123' }

async function rate(name: string, seconds: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    await fn()
    n++
  }
  const perSecond = n / ((performance.now() - start) / 1000)
  console.log(
    `${name.padEnd(34)} ${perSecond.toFixed(0).padStart(8)} ops/s  ${(1e6 / perSecond).toFixed(1).padStart(7)} µs/op`,
  )
  return perSecond
}

console.log('in-process, audit log on (one SQLite commit per call)')
await rate('GenerateDataKey AES_256', 3, () =>
  local.kms.generateDataKey({ keyId, keySpec: 'AES_256', encryptionContext: context }),
)
const { ciphertextBlob } = await local.kms.generateDataKey({
  keyId,
  keySpec: 'AES_256',
  encryptionContext: context,
})
await rate('Decrypt', 3, () => local.kms.decrypt({ ciphertextBlob, encryptionContext: context }))
local.close()

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function timeRuns(args: string[], env: NodeJS.ProcessEnv, runs = 11): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    execFileSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] })
    times.push(performance.now() - start)
  }
  return median(times)
}

const env = { ...process.env, SEALBOX_HOME: home }
const baseline = timeRuns(['-e', '0'], env)
const cli = timeRuns(
  [
    'dist/src/cli/main.js',
    'kms',
    'generate-data-key',
    '--key-id',
    'alias/sealbox-default',
    '--key-spec',
    'AES_256',
  ],
  env,
)
console.log('\ncold start (median of 11 runs)')
console.log(`node -e 0                            ${baseline.toFixed(0).padStart(6)} ms   1.00x`)
console.log(
  `sealbox kms generate-data-key        ${cli.toFixed(0).padStart(6)} ms   ${(cli / baseline).toFixed(2)}x   (goal: at most 2.50x)`,
)
