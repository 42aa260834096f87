import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import type { KmsPort, KmsProvider } from '../../kms/types/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Settings } from './config.js'

/** The embedded KMS opened on `settings.home`: keystore, audit log and clock share one file. */
export interface LocalKmsHandle {
  provider: KmsProvider
  /** The provider acting for the local user (the default principal). */
  kms: KmsPort
  audit: AuditLog
  clock: Clock
  /** The embedded default key (`alias/sealbox-default`), created on first use; returns its ARN. */
  defaultKeyId(): Promise<string>
  /** Moves the keystore's clock forward for every process sharing it; returns the new time. */
  advanceClock(ms: number): Date
  close(): void
}

export function openLocalKms(_settings: Settings, _env: NodeJS.ProcessEnv): LocalKmsHandle {
  throw new SealboxError('InternalError', 'the embedded KMS is not wired in yet')
}
