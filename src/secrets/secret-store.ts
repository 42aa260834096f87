import { setTimeout as sleep } from 'node:timers/promises'
import { zero } from '../bytes/index.js'
import type { Clock } from '../clock/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { encryptStream } from '../envelope/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectStore } from '../objects/types/index.js'
import { Layout } from './layout.js'
import { listLatest, listVersions } from './list-versions.js'
import { mapConcurrent, mapOrdered } from './map-concurrent.js'
import { MAX_ATTEMPTS } from './max-attempts.js'
import { packContext } from './pack-context.js'
import { refuseFileFolderClash } from './refuse-file-folder-clash.js'
import { rotateSecrets, type RotateOptions, type RotationReport } from './rotate-secrets.js'
import { sealVersion } from './seal-version.js'
import { secretContended, secretDeleted, secretNotFound } from './secret-errors.js'
import { normalizeSecretPath, printable } from './secret-path.js'
import type { SecretVersion } from './secret-version.js'
import { packEntries, type PackEntry } from './tar-archive.js'
import { VersionReader } from './version-reader.js'
import { isDeleted, type VersionRef } from './version-ref.js'

export interface SecretStoreOptions {
  /** The store the secrets live in (a local folder, an S3 bucket, …). */
  objects: ObjectStore
  /** Key prefix inside the store (`secrets/`); empty for the store's root. */
  prefix?: string
  kms: KmsPort
  /** KMS keys new versions are sealed under (key id, ARN or alias; usually one). Reading needs none. */
  keyIds?: readonly string[]
  clock: Clock
  /** Store and KMS calls in flight at once for listings, packs and rotations (default 16). */
  concurrency?: number
  /** Largest secret accepted, in bytes (default 64 MiB; `sealbox cp` is for files). */
  maxSecretBytes?: number
}

/**
 * Secrets in an object store: one sealbox message per secret version, each bound to its path and
 * version by its encryption context. A put is a conditional create of the next version, so no
 * concurrent update is lost; `rm` writes a deletion marker and keeps the history.
 */
export class SecretStore {
  readonly layout: Layout
  readonly location: string
  private readonly objects: ObjectStore
  private readonly kms: KmsPort
  private readonly keyIds: readonly string[]
  private readonly clock: Clock
  private readonly concurrency: number
  readonly maxSecretBytes: number
  private readonly reader: VersionReader
  private readonly arnCache = new Map<string, Promise<string>>()

  constructor(options: SecretStoreOptions) {
    this.objects = options.objects
    this.layout = new Layout(options.prefix ?? '')
    this.location = `${options.objects.location}${this.layout.prefix}`
    this.kms = options.kms
    this.keyIds = options.keyIds ?? []
    this.clock = options.clock
    this.concurrency = options.concurrency ?? 16
    this.maxSecretBytes = options.maxSecretBytes ?? 64 * 1024 * 1024
    this.reader = new VersionReader({
      objects: this.objects,
      layout: this.layout,
      kms: this.kms,
      location: this.location,
      maxSecretBytes: this.maxSecretBytes,
    })
  }

  /** True when two concurrent writers can never both take one version (see `put`). */
  get conditionalWrites(): boolean {
    return this.objects.supportsConditionalWrites
  }

  /**
   * Seals `value` as the next version of `path`. With `expectVersion`, writes only if the latest
   * version is still that one (0: the secret has never existed), else fails with
   * PreconditionFailed; without it, a version taken concurrently makes it retry on the next one.
   */
  async put(
    pathInput: string,
    value: Uint8Array,
    options: { expectVersion?: number } = {},
  ): Promise<SecretVersion> {
    const path = normalizeSecretPath(pathInput)
    this.checkSize(path, value.length)
    return this.writeNext(path, async (latest) => {
      if (options.expectVersion !== undefined && (latest?.version ?? 0) !== options.expectVersion) {
        throw new SealboxError(
          'PreconditionFailed',
          `secret '${printable(path)}' is at version ${latest?.version ?? 0}, not ${options.expectVersion}: it changed since it was read`,
          { hint: `look at 'sealbox secrets history ${path}' and put again` },
        )
      }
      return { value, keyIds: this.sealingKeys(), retry: options.expectVersion === undefined }
    })
  }

  /** The latest (or a given) version of a secret, decrypted and checked against its place. */
  async get(
    pathInput: string,
    options: { version?: number } = {},
  ): Promise<{ version: SecretVersion; value: Uint8Array }> {
    const path = normalizeSecretPath(pathInput)
    const ref = await this.readable(path, options.version)
    return {
      version: await this.reader.describe(ref, false),
      value: await this.reader.readAll(ref),
    }
  }

  /** Like `get`, as a stream of verified plaintext (for large secrets and `-o FILE`). */
  async open(
    pathInput: string,
    options: { version?: number } = {},
  ): Promise<{ version: SecretVersion; body: AsyncGenerator<Uint8Array> }> {
    const path = normalizeSecretPath(pathInput)
    const ref = await this.readable(path, options.version)
    return { version: await this.reader.describe(ref, false), body: this.reader.decrypt(ref) }
  }

  /**
   * Deletes a secret. By default a deletion marker becomes the latest version and the history
   * stays (`rollback` brings a value back). With `purge`, every version is removed for good,
   * oldest first, after the marker, so an interrupted purge never brings back an old value.
   */
  async remove(
    pathInput: string,
    options: { purge?: boolean } = {},
  ): Promise<{ version: number | undefined; purged: number }> {
    const path = normalizeSecretPath(pathInput)
    const versions = await listVersions(this.objects, this.layout, path)
    const latest = versions.at(-1)
    if (latest === undefined) throw secretNotFound(path, this.location)
    let marker: number | undefined
    if (!isDeleted(latest.info)) {
      marker = (await this.writeMarker(path)).version
    } else if (options.purge !== true) {
      throw secretDeleted(path, latest.version)
    }
    if (options.purge !== true) return { version: marker, purged: 0 }
    const all = await listVersions(this.objects, this.layout, path)
    // oldest first: at every moment the latest remaining version is the deletion marker or newer
    const doomed = marker === undefined ? all : all.filter((r) => r.version <= marker)
    for (const ref of doomed) {
      await this.objects.delete(this.layout.versionKey(path, ref.version)).catch((e: unknown) => {
        if (!isSealboxError(e, 'ObjectNotFound')) throw e
      })
    }
    return { version: marker, purged: doomed.length }
  }

  /** Every version of a secret, oldest first, with deletion markers. */
  async history(pathInput: string): Promise<SecretVersion[]> {
    const path = normalizeSecretPath(pathInput)
    const versions = await listVersions(this.objects, this.layout, path)
    if (versions.length === 0) throw secretNotFound(path, this.location)
    return mapConcurrent(versions, this.concurrency, (ref) => this.reader.describe(ref, true))
  }

  /** Writes the value of version `version` again as the new latest version. */
  async rollback(pathInput: string, version: number): Promise<SecretVersion> {
    const path = normalizeSecretPath(pathInput)
    const ref = await this.readable(path, version)
    const value = await this.reader.readAll(ref)
    try {
      return await this.writeNext(path, () =>
        Promise.resolve({ value, keyIds: this.sealingKeys(), retry: true }),
      )
    } finally {
      zero(value)
    }
  }

  /**
   * The latest version of every secret matching `patterns` (all secrets when none), sorted by
   * path, reading every page of the listing. `details` fetches the key ARNs and plaintext sizes
   * (one HEAD per secret, in parallel); `includeDeleted` keeps secrets whose latest is a marker.
   */
  async list(
    patterns: readonly string[] = [],
    options: { includeDeleted?: boolean; details?: boolean } = {},
  ): Promise<SecretVersion[]> {
    const refs = await listLatest(
      this.objects,
      this.layout,
      patterns,
      options.includeDeleted === true,
    )
    return mapConcurrent(refs, this.concurrency, (ref) =>
      this.reader.describe(ref, options.details !== false),
    )
  }

  /** Path and plaintext of every matching secret, in path order, `concurrency` reads at a time. */
  async *readMany(
    patterns: readonly string[],
  ): AsyncGenerator<{ path: string; version: number; modified: Date; value: Uint8Array }> {
    const refs = await listLatest(this.objects, this.layout, patterns, false)
    yield* mapOrdered(refs, this.concurrency, async (ref) => ({
      path: ref.path,
      version: ref.version,
      modified: ref.info.lastModified,
      value: await this.reader.readAll(ref),
    }))
  }

  /**
   * The matching secrets as a tar archive (entries `path`, mode 0400, owner root), sealed as one
   * message under `keyIds` with `context` plus `sealbox:pack=tar`. Streams entry by entry: memory
   * holds at most `concurrency` secrets whatever their number. `onEntry` hears of each entry.
   */
  async *pack(
    patterns: readonly string[],
    options: {
      keyIds?: readonly string[]
      context?: EncryptionContext
      onEntry?: (entry: PackEntry) => void
    } = {},
  ): AsyncGenerator<Uint8Array> {
    const context = packContext(options.context ?? {})
    const refs = await listLatest(this.objects, this.layout, patterns, false)
    if (refs.length === 0) {
      throw new SealboxError(
        'SecretNotFound',
        `no secret in ${this.location} matches ${patterns.join(' ') || '**'}`,
      )
    }
    refuseFileFolderClash(refs.map((r) => r.path))
    const entries = mapOrdered(refs, this.concurrency, async (ref): Promise<PackEntry> => {
      const entry = {
        path: ref.path,
        version: ref.version,
        modified: ref.info.lastModified,
        value: await this.reader.readAll(ref),
      }
      options.onEntry?.(entry)
      return entry
    })
    yield* encryptStream(packEntries(entries), {
      kms: this.kms,
      keyIds: [...(options.keyIds ?? this.sealingKeys())],
      encryptionContext: context,
    })
  }

  /**
   * A new data key for every matching secret: each latest version is decrypted and sealed again
   * as the next version, under the keys it is sealed under now or, with `keyIds`, under those
   * keys (so a new master key takes over every secret). Resumable: the run is recorded in a
   * journal object, and a secret with a version newer than the run's start (and, when moving, on
   * the target keys) is skipped. A concurrent put is never reverted: the next version is only
   * ever created, never overwritten, and a version taken meanwhile is read again and rotated (or
   * skipped when it is fresh).
   */
  async rotate(options: RotateOptions = {}): Promise<RotationReport> {
    return rotateSecrets(
      {
        objects: this.objects,
        layout: this.layout,
        location: this.location,
        kms: this.kms,
        clock: this.clock,
        concurrency: this.concurrency,
        reader: this.reader,
        keyArn: (keyId) => this.keyArn(keyId),
      },
      options,
    )
  }

  /** The KMS key ARN of a key id, alias or ARN (DescribeKey, remembered). */
  async keyArn(keyId: string): Promise<string> {
    let arn = this.arnCache.get(keyId)
    if (arn === undefined) {
      arn = this.kms.describeKey({ keyId }).then(
        (r) => r.keyMetadata.arn,
        (e: unknown) => {
          // without kms:DescribeKey, a key ARN still names itself
          if (/^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(keyId)) return keyId
          throw e
        },
      )
      arn.catch(() => this.arnCache.delete(keyId))
      this.arnCache.set(keyId, arn)
    }
    return arn
  }

  // ---- internals ----

  private sealingKeys(): readonly string[] {
    if (this.keyIds.length === 0) {
      throw new SealboxError('UsageError', 'no KMS key to seal secrets with', {
        hint: 'pass --key-id, or set KMS_KEY_ID',
      })
    }
    return this.keyIds
  }

  private async writeNext(
    path: string,
    prepare: (
      latest: VersionRef | undefined,
    ) => Promise<{ value: Uint8Array; keyIds: readonly string[]; retry: boolean }>,
  ): Promise<SecretVersion> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = (await listVersions(this.objects, this.layout, path)).at(-1)
      const { value, keyIds, retry } = await prepare(latest)
      try {
        return await sealVersion(
          { objects: this.objects, layout: this.layout, kms: this.kms, clock: this.clock },
          path,
          (latest?.version ?? 0) + 1,
          value,
          keyIds,
        )
      } catch (e) {
        if (!isSealboxError(e, 'PreconditionFailed') || !retry) throw e
        await sleep(Math.floor(Math.random() * 10 * (attempt + 1)))
      }
    }
    throw secretContended(path)
  }

  private async writeMarker(path: string): Promise<{ version: number }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = (await listVersions(this.objects, this.layout, path)).at(-1)
      if (latest === undefined) throw secretNotFound(path, this.location)
      if (isDeleted(latest.info)) return { version: latest.version }
      const next = latest.version + 1
      try {
        await this.objects.put(this.layout.versionKey(path, next), new Uint8Array(0), {
          ifNoneMatch: '*',
          contentLength: 0,
        })
        return { version: next }
      } catch (e) {
        if (!isSealboxError(e, 'PreconditionFailed')) throw e
      }
    }
    throw secretContended(path)
  }

  /** The version to read: the latest, or `version`; refuses absent and deleted ones. */
  private async readable(path: string, version: number | undefined): Promise<VersionRef> {
    let ref: VersionRef | undefined
    if (version === undefined) {
      ref = (await listVersions(this.objects, this.layout, path)).at(-1)
      if (ref === undefined) throw secretNotFound(path, this.location)
      if (isDeleted(ref.info)) throw secretDeleted(path, ref.version)
      return ref
    }
    const key = this.layout.versionKey(path, version)
    const info = await this.objects.head(key)
    if (info === undefined) {
      throw new SealboxError(
        'SecretNotFound',
        `secret '${printable(path)}' has no version ${version} in ${this.location}`,
        {
          hint: `list its versions with 'sealbox secrets history ${path}'`,
        },
      )
    }
    if (isDeleted(info)) {
      throw new SealboxError(
        'SecretNotFound',
        `version ${version} of secret '${printable(path)}' is a deletion marker`,
        {
          hint: `list its versions with 'sealbox secrets history ${path}'`,
        },
      )
    }
    return { path, version, info }
  }

  private checkSize(path: string, size: number): void {
    if (size > this.maxSecretBytes) {
      throw new SealboxError(
        'LimitExceeded',
        `secret '${printable(path)}' is ${size} bytes, more than the ${this.maxSecretBytes} bytes a secret may hold`,
        { hint: "store large files with 'sealbox cp' instead" },
      )
    }
  }
}
