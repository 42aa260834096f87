import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteAuditLog } from '../../src/audit/log/index.js'
import { ManualClock } from '../../src/clock/index.js'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import { Keystore, LocalKms } from '../../src/kms/local/index.js'
import type { Caller, KmsPort } from '../../src/kms/types/index.js'

export const ACCOUNT = '111122223333'
export const REGION = 'eu-west-1'
export const ALICE: Caller = { principal: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT }

export interface TestKms {
  home: string
  kms: KmsPort
  provider: LocalKms
  keystore: Keystore
  audit: SqliteAuditLog
  clock: ManualClock
  close(): void
}

/** A fresh embedded KMS on a real SQLite keystore in a temp folder, with a clock the test moves. */
export function openTestKms(home = mkdtempSync(join(tmpdir(), 'sealbox-kms-'))): TestKms {
  const keystore = Keystore.open({ home })
  const audit = new SqliteAuditLog(keystore.db)
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'))
  const provider = new LocalKms({ keystore, audit, clock, region: REGION, accountId: ACCOUNT })
  return {
    home,
    kms: provider.forCaller(ALICE),
    provider,
    keystore,
    audit,
    clock,
    close: () => {
      provider.close()
      keystore.close()
    },
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
export const text = (b: Uint8Array): string => new TextDecoder().decode(b)

/** `p` fails with a SealboxError of `code`, its message matching `message` when given. */
export async function refused(
  p: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSealboxError(e), `expected a SealboxError, got ${String(e)}`)
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`)
    if (message !== undefined) assert.match(e.message, message)
    return true
  })
}
