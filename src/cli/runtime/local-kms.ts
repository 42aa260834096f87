import { userInfo } from 'node:os'
import { GroupCommitAuditLog, SqliteAuditLog } from '../../audit/log/index.js'
import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import { isSealboxError } from '../../errors/index.js'
import { Keystore, LocalKms } from '../../kms/local/index.js'
import type { Caller, KmsPort, KmsProvider } from '../../kms/types/index.js'
import type { Settings } from './config.js'

/** The embedded KMS opened on `settings.home`: keystore, audit log and clock share one file. */
export interface LocalKmsHandle {
  provider: KmsProvider
  /** The provider acting for the local user (the default principal). */
  kms: KmsPort
  audit: AuditLog
  clock: Clock
  keystore: Keystore
  caller: Caller
  /** The embedded default key (`alias/sealbox-default`), created on first use; returns its ARN. */
  defaultKeyId(): Promise<string>
  /** Moves the keystore's clock forward for every process sharing it; returns the new time. */
  advanceClock(ms: number): Date
  close(): void
}

export const DEFAULT_KEY_ALIAS = 'alias/sealbox-default'
export const DEFAULT_ACCOUNT_ID = '000000000000'

export interface OpenLocalKmsOptions {
  /**
   * For servers: the audit events of concurrent calls are committed together, fsynced, and each
   * call settles only after its event is on disk (GroupCommitAuditLog). Without it each event is
   * its own transaction, which survives a process crash but not an OS crash.
   */
  groupCommit?: boolean
}

export function openLocalKms(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  options: OpenLocalKmsOptions = {},
): LocalKmsHandle {
  const keystore = Keystore.open({
    home: settings.home,
    ...(env['SEALBOX_PASSPHRASE'] ? { passphrase: env['SEALBOX_PASSPHRASE'] } : {}),
  })
  const accountId = env['SEALBOX_ACCOUNT_ID'] || DEFAULT_ACCOUNT_ID
  const region = settings.region ?? 'us-east-1'
  const clock: Clock = { now: () => new Date(Date.now() + keystore.clockOffsetMs()) }
  const sqliteLog = new SqliteAuditLog(keystore.db)
  const grouped = options.groupCommit === true ? new GroupCommitAuditLog(sqliteLog) : undefined
  const audit: AuditLog = grouped ?? sqliteLog
  const provider = new LocalKms({ keystore, audit, clock, region, accountId })
  const caller: Caller = {
    principal: env['SEALBOX_PRINCIPAL'] || `arn:aws:iam::${accountId}:user/${localUserName()}`,
    accountId,
  }
  return {
    provider,
    kms: provider.forCaller(caller),
    audit,
    clock,
    keystore,
    caller,
    defaultKeyId: () => Promise.resolve(ensureDefaultKey(keystore, provider, caller)),
    advanceClock: (ms) => new Date(Date.now() + keystore.advanceClock(ms)),
    close: () => {
      grouped?.flush()
      sqliteLog.close()
      provider.close()
      keystore.close()
    },
  }
}

/** Creates the default key and its alias once, even when several processes race to do it. */
function ensureDefaultKey(keystore: Keystore, kms: LocalKms, caller: Caller): string {
  const existing = describeDefault(kms, caller)
  if (existing !== undefined) return existing
  return keystore.transaction(() => {
    const raced = describeDefault(kms, caller)
    if (raced !== undefined) return raced
    const { keyMetadata } = kms.run('CreateKey', caller, { description: 'sealbox default key' })
    kms.run('CreateAlias', caller, { aliasName: DEFAULT_KEY_ALIAS, targetKeyId: keyMetadata.keyId })
    return keyMetadata.arn
  })
}

function describeDefault(kms: LocalKms, caller: Caller): string | undefined {
  try {
    return kms.run('DescribeKey', caller, { keyId: DEFAULT_KEY_ALIAS }).keyMetadata.arn
  } catch (e) {
    if (isSealboxError(e, 'NotFoundException')) return undefined
    throw e
  }
}

function localUserName(): string {
  try {
    return userInfo().username || 'local'
  } catch {
    return 'local'
  }
}
