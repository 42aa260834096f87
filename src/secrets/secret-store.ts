import { setTimeout as sleep } from 'node:timers/promises'
import { concatBytes, zero } from '../bytes/index.js'
import type { Clock } from '../clock/index.js'
import { randomUUID } from '../crypto/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { decryptStream, encryptStream, readHeader } from '../envelope/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectInfo, ObjectStore } from '../objects/types/index.js'
import { anyGlob } from './glob.js'
import { Layout } from './layout.js'
import { mapConcurrent, mapOrdered } from './map-concurrent.js'
import { packContext } from './pack-context.js'
import { packEntries, type PackEntry } from './tar-archive.js'
import {
  decodeJournal,
  encodeJournal,
  resumes,
  rotationStep,
  type LatestState,
  type RotationJournal,
  type RotationStep,
} from './rotation-journal.js'
import { secretContext, wrongLocation } from './secret-context.js'
import { normalizeSecretPath, printable } from './secret-path.js'
import { META_KEYS, META_ROTATION, META_SIZE, type SecretVersion } from './secret-version.js'

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

export interface RotateOptions {
  /**
   * Keys every secret is moved to (key ids, ARNs or aliases). Default: none, and each secret gets
   * a new data key under the keys its latest version is already sealed under.
   */
  keyIds?: readonly string[]
  patterns?: readonly string[]
  dryRun?: boolean
  onProgress?: (event: RotationEvent) => void
}

export interface RotationEvent {
  path: string
  version: number
  outcome: RotationStep | 'rotated' | 'failed'
  /** The version written, for `rotated`. */
  newVersion?: number
  keyArns: string[]
  error?: unknown
}

export interface RotationReport {
  resumed: boolean
  dryRun: boolean
  startedAt: string
  /** The keys every secret is moved to; empty when each secret stays on its own keys. */
  targetKeyArns: string[]
  total: number
  rotated: number
  /** Already on the target keys with a data key newer than the rotation's start. */
  fresh: number
  failed: Array<{ path: string; error: unknown }>
}

interface VersionRef {
  path: string
  version: number
  info: ObjectInfo
}

const MAX_ATTEMPTS = 25
const HEADER_PROBE_BYTES = 65_536

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
    return { version: await this.describe(ref, false), value: await this.readAll(ref) }
  }

  /** Like `get`, as a stream of verified plaintext (for large secrets and `-o FILE`). */
  async open(
    pathInput: string,
    options: { version?: number } = {},
  ): Promise<{ version: SecretVersion; body: AsyncGenerator<Uint8Array> }> {
    const path = normalizeSecretPath(pathInput)
    const ref = await this.readable(path, options.version)
    return { version: await this.describe(ref, false), body: this.decrypt(ref) }
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
    const versions = await this.versions(path)
    const latest = versions.at(-1)
    if (latest === undefined) throw this.notFound(path)
    let marker: number | undefined
    if (!isDeleted(latest.info)) {
      marker = (await this.writeMarker(path)).version
    } else if (options.purge !== true) {
      throw this.deletedError(path, latest.version)
    }
    if (options.purge !== true) return { version: marker, purged: 0 }
    const all = await this.versions(path)
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
    const versions = await this.versions(path)
    if (versions.length === 0) throw this.notFound(path)
    return mapConcurrent(versions, this.concurrency, (ref) => this.describe(ref, true))
  }

  /** Writes the value of version `version` again as the new latest version. */
  async rollback(pathInput: string, version: number): Promise<SecretVersion> {
    const path = normalizeSecretPath(pathInput)
    const ref = await this.readable(path, version)
    const value = await this.readAll(ref)
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
    const refs = await this.latestRefs(patterns, options.includeDeleted === true)
    return mapConcurrent(refs, this.concurrency, (ref) =>
      this.describe(ref, options.details !== false),
    )
  }

  /** Path and plaintext of every matching secret, in path order, `concurrency` reads at a time. */
  async *readMany(
    patterns: readonly string[],
  ): AsyncGenerator<{ path: string; version: number; modified: Date; value: Uint8Array }> {
    const refs = await this.latestRefs(patterns, false)
    yield* mapOrdered(refs, this.concurrency, async (ref) => ({
      path: ref.path,
      version: ref.version,
      modified: ref.info.lastModified,
      value: await this.readAll(ref),
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
    const refs = await this.latestRefs(patterns, false)
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
        value: await this.readAll(ref),
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
    const keyIds = options.keyIds ?? []
    // no target keys: each secret is sealed again under the keys it is under (see rotateOne)
    const targetKeyArns = await Promise.all(keyIds.map((k) => this.keyArn(k)))
    const patterns = [...(options.patterns ?? [])]
    for (const p of patterns) anyGlob([p])
    const dryRun = options.dryRun === true
    const found = await this.readJournal()
    let run: { journal: RotationJournal; mark: Date; etag: string | undefined; resumed: boolean }
    if (dryRun) {
      const active =
        found !== undefined && resumes(found.journal, targetKeyArns, patterns) ? found : undefined
      run = {
        journal: active?.journal ?? {
          id: '',
          targetKeyArns,
          patterns,
          startedAt: this.clock.now().toISOString(),
        },
        // with no run under way nothing is fresh yet
        mark: active?.info.lastModified ?? new Date(8.64e15),
        etag: undefined,
        resumed: active !== undefined,
      }
    } else {
      run = await this.beginRotation(found, targetKeyArns, patterns)
    }
    const refs = await this.latestRefs(patterns, false)
    const report: RotationReport = {
      resumed: run.resumed,
      dryRun,
      startedAt: run.journal.startedAt,
      targetKeyArns,
      total: refs.length,
      rotated: 0,
      fresh: 0,
      failed: [],
    }
    await mapConcurrent(refs, this.concurrency, async (ref) => {
      try {
        const event = await this.rotateOne(ref, run.journal, run.mark, keyIds, dryRun)
        if (event.outcome === 'rotated' || (dryRun && event.outcome === 'rotate')) report.rotated++
        if (event.outcome === 'fresh') report.fresh++
        options.onProgress?.(event)
      } catch (error) {
        report.failed.push({ path: ref.path, error })
        options.onProgress?.({
          path: ref.path,
          version: ref.version,
          outcome: 'failed',
          keyArns: [],
          error,
        })
      }
    })
    if (!dryRun && report.failed.length === 0 && run.etag !== undefined) {
      await this.objects
        .delete(this.layout.journalKey, { ifMatch: run.etag })
        .catch((e: unknown) => {
          // another run replaced or finished the journal: it is theirs now
          if (!isSealboxError(e, 'PreconditionFailed') && !isSealboxError(e, 'ObjectNotFound'))
            throw e
        })
    }
    report.failed.sort((a, b) => (a.path < b.path ? -1 : 1))
    return report
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

  private async rotateOne(
    first: VersionRef,
    journal: RotationJournal,
    mark: Date,
    keyIds: readonly string[],
    dryRun: boolean,
  ): Promise<RotationEvent> {
    let ref: VersionRef | undefined = first
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        ref = (await this.versions(first.path)).at(-1)
        if (ref === undefined)
          return { path: first.path, version: first.version, outcome: 'deleted', keyArns: [] }
      }
      const state = await this.latestState(ref)
      const step = rotationStep(state, journal, mark)
      const event: RotationEvent = {
        path: ref.path,
        version: ref.version,
        outcome: step,
        keyArns: [...state.keyArns],
      }
      if (step !== 'rotate' || dryRun) return event
      // Staying on its keys means the keys of the verified message, not the object's metadata
      // (unauthenticated): metadata naming a stranger's key must not hand the value to that key.
      const { value, keyArns: sealWith } =
        keyIds.length > 0
          ? { value: await this.readAll(ref), keyArns: keyIds }
          : await this.readWithKeys(ref)
      try {
        if (sealWith.length === 0) {
          throw new SealboxError(
            'NoUsableKey',
            `secret '${printable(ref.path)}' version ${ref.version} is sealed under no KMS key, so it cannot be sealed again under the same keys`,
            { hint: 'rotate it with --key-id to choose the key' },
          )
        }
        const written = await this.create(ref.path, ref.version + 1, value, sealWith, journal.id)
        return {
          ...event,
          outcome: 'rotated',
          newVersion: written.version,
          keyArns: written.keyArns,
        }
      } catch (e) {
        if (!isSealboxError(e, 'PreconditionFailed')) throw e
        // a put took the next version meanwhile: look again at the new latest
      } finally {
        zero(value)
      }
    }
    throw this.contended(first.path)
  }

  private async beginRotation(
    found: { journal: RotationJournal; info: ObjectInfo } | undefined,
    targetKeyArns: string[],
    patterns: string[],
  ): Promise<{ journal: RotationJournal; mark: Date; etag: string; resumed: boolean }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) found = await this.readJournal()
      if (found !== undefined && resumes(found.journal, targetKeyArns, patterns)) {
        return {
          journal: found.journal,
          mark: found.info.lastModified,
          etag: found.info.etag,
          resumed: true,
        }
      }
      const journal: RotationJournal = {
        id: randomUUID(),
        targetKeyArns,
        patterns,
        startedAt: this.clock.now().toISOString(),
      }
      try {
        const { etag } = await this.objects.put(
          this.layout.journalKey,
          encodeJournal(journal),
          found === undefined ? { ifNoneMatch: '*' } : { ifMatch: found.info.etag },
        )
        const info = await this.objects.head(this.layout.journalKey)
        if (info === undefined || info.etag !== etag) continue
        // the store's own time of the journal is the start mark (no clock skew with versions)
        return { journal, mark: info.lastModified, etag, resumed: false }
      } catch (e) {
        if (!isSealboxError(e, 'PreconditionFailed')) throw e
      }
    }
    throw new SealboxError(
      'ConflictException',
      'another rotation keeps replacing the rotation journal',
    )
  }

  private async readJournal(): Promise<{ journal: RotationJournal; info: ObjectInfo } | undefined> {
    try {
      const { info, body } = await this.objects.get(this.layout.journalKey)
      const bytes = await collect(body, 1024 * 1024, 'the rotation journal')
      return {
        journal: decodeJournal(
          bytes,
          `${this.location}${this.layout.journalKey.slice(this.layout.prefix.length)}`,
        ),
        info,
      }
    } catch (e) {
      if (isSealboxError(e, 'ObjectNotFound')) return undefined
      throw e
    }
  }

  private async latestState(ref: VersionRef): Promise<LatestState> {
    if (isDeleted(ref.info)) {
      return {
        deleted: true,
        keyArns: [],
        lastModified: ref.info.lastModified,
        rotationId: undefined,
      }
    }
    const info = await this.withMetadata(ref)
    return {
      deleted: false,
      keyArns: await this.keyArnsOf(ref, info),
      lastModified: info.lastModified,
      rotationId: info.metadata?.[META_ROTATION],
    }
  }

  /**
   * Seals `value` as version `next` of `path` and creates it only if that version does not exist.
   * Throws PreconditionFailed when another writer took the version first.
   */
  private async create(
    path: string,
    next: number,
    value: Uint8Array,
    keyIds: readonly string[],
    rotationId?: string,
  ): Promise<SecretVersion> {
    const key = this.layout.versionKey(path, next)
    const sealed = await collect(
      encryptStream(once(value), {
        kms: this.kms,
        keyIds: [...keyIds],
        encryptionContext: secretContext(path, next),
      }),
      Number.MAX_SAFE_INTEGER,
      'the sealed secret',
    )
    const keyArns = await headerKeyArns(once(sealed))
    const metadata: Record<string, string> = {
      [META_KEYS]: keyArns.join(' '),
      [META_SIZE]: String(value.length),
    }
    if (rotationId !== undefined) metadata[META_ROTATION] = rotationId
    const { etag } = await this.objects.put(key, sealed, {
      ifNoneMatch: '*',
      metadata,
      contentLength: sealed.length,
    })
    // Without conditional writes the store checks before and after the write (its documented
    // fallback) and reports a writer it saw in between; one in the window itself can be lost.
    const modified = this.clock.now()
    return {
      path,
      version: next,
      deleted: false,
      size: value.length,
      storedSize: sealed.length,
      modified,
      keyArns,
      etag,
    }
  }

  private async writeNext(
    path: string,
    prepare: (
      latest: VersionRef | undefined,
    ) => Promise<{ value: Uint8Array; keyIds: readonly string[]; retry: boolean }>,
  ): Promise<SecretVersion> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = (await this.versions(path)).at(-1)
      const { value, keyIds, retry } = await prepare(latest)
      try {
        return await this.create(path, (latest?.version ?? 0) + 1, value, keyIds)
      } catch (e) {
        if (!isSealboxError(e, 'PreconditionFailed') || !retry) throw e
        await sleep(Math.floor(Math.random() * 10 * (attempt + 1)))
      }
    }
    throw this.contended(path)
  }

  private async writeMarker(path: string): Promise<{ version: number }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = (await this.versions(path)).at(-1)
      if (latest === undefined) throw this.notFound(path)
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
    throw this.contended(path)
  }

  /** Every version of one secret, oldest first (all pages of its listing). */
  private async versions(path: string): Promise<VersionRef[]> {
    const prefix = this.layout.versionsPrefix(path)
    const out: VersionRef[] = []
    for await (const page of this.objects.list({ prefix })) {
      for (const info of page.objects) {
        const parsed = this.layout.parse(info.key)
        if (parsed !== undefined && parsed.path === path) out.push({ ...parsed, info })
      }
    }
    return out.sort((a, b) => a.version - b.version)
  }

  private async latestRefs(
    patterns: readonly string[],
    includeDeleted: boolean,
  ): Promise<VersionRef[]> {
    const glob = anyGlob(patterns)
    const latest = new Map<string, VersionRef>()
    for await (const page of this.objects.list({
      prefix: this.layout.prefix + glob.literalPrefix,
    })) {
      for (const info of page.objects) {
        const parsed = this.layout.parse(info.key)
        if (parsed === undefined || !glob.matches(parsed.path)) continue
        const current = latest.get(parsed.path)
        if (current === undefined || parsed.version > current.version)
          latest.set(parsed.path, { ...parsed, info })
      }
    }
    return [...latest.values()]
      .filter((r) => includeDeleted || !isDeleted(r.info))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /** The version to read: the latest, or `version`; refuses absent and deleted ones. */
  private async readable(path: string, version: number | undefined): Promise<VersionRef> {
    let ref: VersionRef | undefined
    if (version === undefined) {
      ref = (await this.versions(path)).at(-1)
      if (ref === undefined) throw this.notFound(path)
      if (isDeleted(ref.info)) throw this.deletedError(path, ref.version)
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

  private async describe(ref: VersionRef, details: boolean): Promise<SecretVersion> {
    const base = {
      path: ref.path,
      version: ref.version,
      storedSize: ref.info.size,
      modified: ref.info.lastModified,
      etag: ref.info.etag,
    }
    if (isDeleted(ref.info)) return { ...base, deleted: true, size: 0, keyArns: [] }
    const info = details ? await this.withMetadata(ref) : ref.info
    const size = Number(info.metadata?.[META_SIZE])
    return {
      ...base,
      deleted: false,
      size: Number.isSafeInteger(size) && size >= 0 ? size : ref.info.size,
      keyArns: details ? await this.keyArnsOf(ref, info) : splitKeys(info.metadata?.[META_KEYS]),
    }
  }

  /** The version's object info with its metadata (listings do not carry it on S3). */
  private async withMetadata(ref: VersionRef): Promise<ObjectInfo> {
    if (ref.info.metadata !== undefined) return ref.info
    return (await this.objects.head(this.layout.versionKey(ref.path, ref.version))) ?? ref.info
  }

  /** Key ARNs from the object's metadata, else from the message's (unauthenticated) header. */
  private async keyArnsOf(ref: VersionRef, info: ObjectInfo): Promise<string[]> {
    const fromMetadata = splitKeys(info.metadata?.[META_KEYS])
    if (fromMetadata.length > 0) return fromMetadata
    const { body } = await this.objects.get(this.layout.versionKey(ref.path, ref.version), {
      range: { start: 0, end: HEADER_PROBE_BYTES - 1 },
    })
    return headerKeyArns(body)
  }

  private async readAll(ref: VersionRef): Promise<Uint8Array> {
    return collect(this.decrypt(ref), this.maxSecretBytes, `secret '${printable(ref.path)}'`)
  }

  /**
   * The value of a version and the KMS key ARNs of the message it was read from. The ARNs come
   * from the very bytes that were decrypted, whose header (data-key entries included) was
   * authenticated on the way.
   */
  private async readWithKeys(ref: VersionRef): Promise<{ value: Uint8Array; keyArns: string[] }> {
    const head: Uint8Array[] = []
    let seen = 0
    const value = await collect(
      this.decrypt(ref, (chunk) => {
        if (seen >= HEADER_PROBE_BYTES) return
        head.push(chunk.slice())
        seen += chunk.length
      }),
      this.maxSecretBytes,
      `secret '${printable(ref.path)}'`,
    )
    try {
      return { value, keyArns: await headerKeyArns(once(concatBytes(...head))) }
    } catch (e) {
      zero(value)
      throw e
    }
  }

  /**
   * Verified plaintext of one version; a message sealed for another place is WrongLocation.
   * `tap` sees the sealed bytes as they are read.
   */
  private async *decrypt(
    ref: VersionRef,
    tap?: (chunk: Uint8Array) => void,
  ): AsyncGenerator<Uint8Array> {
    const key = this.layout.versionKey(ref.path, ref.version)
    let body: AsyncIterable<Uint8Array>
    try {
      body = (await this.objects.get(key)).body
    } catch (e) {
      if (isSealboxError(e, 'ObjectNotFound')) throw this.notFound(ref.path)
      throw e
    }
    if (tap !== undefined) body = tapped(body, tap)
    try {
      yield* decryptStream(body, {
        kms: this.kms,
        expectedContext: secretContext(ref.path, ref.version),
      })
    } catch (e) {
      if (!isSealboxError(e, 'ContextMismatch')) throw e
      let header: { encryptionContext: EncryptionContext }
      try {
        const probe = await this.objects.get(key, {
          range: { start: 0, end: HEADER_PROBE_BYTES - 1 },
        })
        header = await readHeader(probe.body)
      } catch {
        throw e
      }
      throw wrongLocation(ref.path, ref.version, header.encryptionContext)
    }
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

  private notFound(path: string): SealboxError {
    return new SealboxError(
      'SecretNotFound',
      `no secret '${printable(path)}' in ${this.location}`,
      {
        hint: "list the secrets with 'sealbox secrets ls'",
      },
    )
  }

  private deletedError(path: string, version: number): SealboxError {
    return new SealboxError(
      'SecretNotFound',
      `secret '${printable(path)}' was deleted (version ${version} is a deletion marker)`,
      {
        hint: `its earlier versions remain: 'sealbox secrets history ${path}', then 'sealbox secrets rollback ${path} N'`,
      },
    )
  }

  private contended(path: string): SealboxError {
    return new SealboxError(
      'ConflictException',
      `secret '${printable(path)}' kept changing while it was written; nothing was lost, try again`,
    )
  }
}

/**
 * A tar (and a folder) cannot hold `app` as a file and `app/db` under it: refuse such a pack up
 * front rather than produce an archive that cannot be extracted.
 */
function refuseFileFolderClash(paths: readonly string[]): void {
  const all = new Set(paths)
  for (const path of paths) {
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
      const parent = path.slice(0, at)
      if (all.has(parent)) {
        throw new SealboxError(
          'UsageError',
          `secrets '${printable(parent)}' and '${printable(path)}' cannot both be packed: a tar cannot hold a file and a folder of one name`,
          { hint: 'pack them separately with narrower patterns' },
        )
      }
    }
  }
}

function isDeleted(info: ObjectInfo): boolean {
  return info.size === 0
}

function splitKeys(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((k) => k !== '')
}

async function headerKeyArns(source: AsyncIterable<Uint8Array>): Promise<string[]> {
  const header = await readHeader(source)
  return header.encryptedDataKeys
    .filter((k) => k.providerId === 'aws-kms')
    .map((k) => k.providerInfo)
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

async function* tapped(
  source: AsyncIterable<Uint8Array>,
  tap: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    tap(chunk)
    yield chunk
  }
}

/** Concatenates a stream into a fresh buffer, refusing more than `limit` bytes. */
export async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    if (total > limit) {
      for (const c of chunks) zero(c)
      throw new SealboxError('LimitExceeded', `${what} is larger than ${limit} bytes`)
    }
    // copied: a producer may reuse the buffer behind a chunk once the next one is asked for
    chunks.push(chunk.slice())
  }
  if (chunks.length === 1) return chunks[0]!
  const out = concatBytes(...chunks)
  for (const c of chunks) zero(c)
  return out
}
