import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import type { KmsPort, KmsProvider } from '../../kms/types/index.js'
import type { ObjectStore } from '../../objects/types/index.js'
import type { OpenObjectStoreOptions } from './object-store.js'
import { SealboxError } from '../../errors/index.js'
import { resolveSettings, type GlobalFlags, type Settings } from './config.js'
import type { LocalKmsHandle } from './local-kms.js'

/**
 * The composition root's view of the world: the one place that picks a concrete KMS, audit
 * log and object store. Everything is opened lazily, so a command pays only for what it uses.
 */
export class Runtime {
  private settingsCache: Settings | undefined
  private local: LocalKmsHandle | undefined
  private remoteKms: Promise<KmsPort> | undefined

  constructor(
    private readonly flags: () => GlobalFlags,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get settings(): Settings {
    this.settingsCache ??= resolveSettings(this.flags(), this.env)
    return this.settingsCache
  }

  private async openLocal(): Promise<LocalKmsHandle> {
    if (this.local === undefined) {
      const { openLocalKms } = await import('./local-kms.js')
      this.local = openLocalKms(this.settings, this.env)
    }
    return this.local
  }

  /** The configured KMS: the embedded one (default) or an AWS KMS API endpoint. */
  async kms(): Promise<KmsPort> {
    if (this.settings.kms === 'aws') {
      this.remoteKms ??= import('./aws-kms.js').then((m) => m.openAwsKms(this.settings))
      return this.remoteKms
    }
    return (await this.openLocal()).kms
  }

  /** The embedded KMS for any caller (what `sealbox serve` serves). */
  async kmsProvider(): Promise<KmsProvider> {
    return (await this.openLocal()).provider
  }

  /** The embedded keystore's audit log (kept only by the embedded KMS). */
  async audit(): Promise<AuditLog> {
    return (await this.openLocal()).audit
  }

  async clock(): Promise<Clock> {
    return (await this.openLocal()).clock
  }

  /** Advances the embedded KMS's clock (rotations, deletion windows, import expiry). */
  async advanceClock(ms: number): Promise<Date> {
    return (await this.openLocal()).advanceClock(ms)
  }

  /** `--key-id` if given, then `KMS_KEY_ID` / `CMK_KEY_ID`, then the embedded default key. */
  async defaultKeyId(explicit?: string): Promise<string> {
    const keyId = explicit ?? this.settings.keyId
    if (keyId !== undefined) return keyId
    if (this.settings.kms === 'aws') {
      throw new SealboxError('UsageError', 'no KMS key given', {
        hint: 'pass --key-id, or set KMS_KEY_ID to a key of the AWS KMS endpoint',
      })
    }
    return (await this.openLocal()).defaultKeyId()
  }

  /** See `openObjectStore`; `bucket: true` for commands that treat a `local://` bucket as S3 does. */
  async objectStore(
    url: string,
    options: OpenObjectStoreOptions = {},
  ): Promise<{ store: ObjectStore; key: string }> {
    const { openObjectStore } = await import('./object-store.js')
    return openObjectStore(url, this.settings, process.env, options)
  }

  close(): void {
    this.local?.close()
    this.local = undefined
  }
}
