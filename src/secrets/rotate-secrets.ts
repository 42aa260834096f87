import { zero } from '../bytes/index.js'
import type { Clock } from '../clock/index.js'
import { randomUUID } from '../crypto/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectInfo, ObjectStore } from '../objects/types/index.js'
import { collect } from './collect.js'
import { anyGlob } from './glob.js'
import type { Layout } from './layout.js'
import { listLatest, listVersions } from './list-versions.js'
import { mapConcurrent } from './map-concurrent.js'
import { MAX_ATTEMPTS } from './max-attempts.js'
import {
  decodeJournal,
  encodeJournal,
  resumes,
  rotationStep,
  type LatestState,
  type RotationJournal,
  type RotationStep,
} from './rotation-journal.js'
import { sealVersion } from './seal-version.js'
import { secretContended } from './secret-errors.js'
import { printable } from './secret-path.js'
import { META_ROTATION } from './secret-version.js'
import type { VersionReader } from './version-reader.js'
import { isDeleted, type VersionRef } from './version-ref.js'

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

/** What a rotation needs of the store it rotates (see `SecretStore.rotate`). */
export interface RotationDeps {
  objects: ObjectStore
  layout: Layout
  location: string
  kms: KmsPort
  clock: Clock
  concurrency: number
  reader: VersionReader
  keyArn: (keyId: string) => Promise<string>
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
export async function rotateSecrets(
  deps: RotationDeps,
  options: RotateOptions = {},
): Promise<RotationReport> {
  const keyIds = options.keyIds ?? []
  // no target keys: each secret is sealed again under the keys it is under (see rotateOne)
  const targetKeyArns = await Promise.all(keyIds.map((k) => deps.keyArn(k)))
  const patterns = [...(options.patterns ?? [])]
  for (const p of patterns) anyGlob([p])
  const dryRun = options.dryRun === true
  const found = await readJournal(deps)
  let run: { journal: RotationJournal; mark: Date; etag: string | undefined; resumed: boolean }
  if (dryRun) {
    const active =
      found !== undefined && resumes(found.journal, targetKeyArns, patterns) ? found : undefined
    run = {
      journal: active?.journal ?? {
        id: '',
        targetKeyArns,
        patterns,
        startedAt: deps.clock.now().toISOString(),
      },
      // with no run under way nothing is fresh yet
      mark: active?.info.lastModified ?? new Date(8.64e15),
      etag: undefined,
      resumed: active !== undefined,
    }
  } else {
    run = await beginRotation(deps, found, targetKeyArns, patterns)
  }
  const refs = await listLatest(deps.objects, deps.layout, patterns, false)
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
  await mapConcurrent(refs, deps.concurrency, async (ref) => {
    try {
      const event = await rotateOne(deps, ref, run.journal, run.mark, keyIds, dryRun)
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
    await deps.objects.delete(deps.layout.journalKey, { ifMatch: run.etag }).catch((e: unknown) => {
      // another run replaced or finished the journal: it is theirs now
      if (!isSealboxError(e, 'PreconditionFailed') && !isSealboxError(e, 'ObjectNotFound')) throw e
    })
  }
  report.failed.sort((a, b) => (a.path < b.path ? -1 : 1))
  return report
}

async function rotateOne(
  deps: RotationDeps,
  first: VersionRef,
  journal: RotationJournal,
  mark: Date,
  keyIds: readonly string[],
  dryRun: boolean,
): Promise<RotationEvent> {
  let ref: VersionRef | undefined = first
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      ref = (await listVersions(deps.objects, deps.layout, first.path)).at(-1)
      if (ref === undefined)
        return { path: first.path, version: first.version, outcome: 'deleted', keyArns: [] }
    }
    const state = await latestState(deps, ref)
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
        ? { value: await deps.reader.readAll(ref), keyArns: keyIds }
        : await deps.reader.readWithKeys(ref)
    try {
      if (sealWith.length === 0) {
        throw new SealboxError(
          'NoUsableKey',
          `secret '${printable(ref.path)}' version ${ref.version} is sealed under no KMS key, so it cannot be sealed again under the same keys`,
          { hint: 'rotate it with --key-id to choose the key' },
        )
      }
      const written = await sealVersion(
        deps,
        ref.path,
        ref.version + 1,
        value,
        sealWith,
        journal.id,
      )
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
  throw secretContended(first.path)
}

async function beginRotation(
  deps: RotationDeps,
  found: { journal: RotationJournal; info: ObjectInfo } | undefined,
  targetKeyArns: string[],
  patterns: string[],
): Promise<{ journal: RotationJournal; mark: Date; etag: string; resumed: boolean }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) found = await readJournal(deps)
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
      startedAt: deps.clock.now().toISOString(),
    }
    try {
      const { etag } = await deps.objects.put(
        deps.layout.journalKey,
        encodeJournal(journal),
        found === undefined ? { ifNoneMatch: '*' } : { ifMatch: found.info.etag },
      )
      const info = await deps.objects.head(deps.layout.journalKey)
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

async function readJournal(
  deps: RotationDeps,
): Promise<{ journal: RotationJournal; info: ObjectInfo } | undefined> {
  try {
    const { info, body } = await deps.objects.get(deps.layout.journalKey)
    const bytes = await collect(body, 1024 * 1024, 'the rotation journal')
    return {
      journal: decodeJournal(
        bytes,
        `${deps.location}${deps.layout.journalKey.slice(deps.layout.prefix.length)}`,
      ),
      info,
    }
  } catch (e) {
    if (isSealboxError(e, 'ObjectNotFound')) return undefined
    throw e
  }
}

async function latestState(deps: RotationDeps, ref: VersionRef): Promise<LatestState> {
  if (isDeleted(ref.info)) {
    return {
      deleted: true,
      keyArns: [],
      lastModified: ref.info.lastModified,
      rotationId: undefined,
    }
  }
  const info = await deps.reader.withMetadata(ref)
  return {
    deleted: false,
    keyArns: await deps.reader.keyArnsOf(ref, info),
    lastModified: info.lastModified,
    rotationId: info.metadata?.[META_ROTATION],
  }
}
