import { SealboxError } from '../errors/index.js'

/**
 * The journal of a `rotate` in progress, kept at `<prefix>.sealbox/rotation.json` until the run
 * finishes. Its object's last-modified time (the store's clock, not ours) marks the start: a
 * secret whose latest version is on the target key and was written after that mark already has
 * a fresh data key, so an interrupted run started again skips it.
 */
export interface RotationJournal {
  id: string
  /**
   * ARNs of the keys every secret is moved to (usually one). Empty: every secret gets a new data
   * key under the keys its latest version is already sealed under.
   */
  targetKeyArns: string[]
  /** Patterns the rotation covers (empty: every secret). */
  patterns: string[]
  /** When the run began, by the rotating machine's clock (for people; the mark is the store's). */
  startedAt: string
}

const FORMAT = 'sealbox-rotation/1'

export function encodeJournal(journal: RotationJournal): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ format: FORMAT, ...journal }, null, 2)}\n`)
}

export function decodeJournal(bytes: Uint8Array, where: string): RotationJournal {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    value = undefined
  }
  const v = value as Partial<RotationJournal> & { format?: unknown }
  if (
    v === null ||
    typeof v !== 'object' ||
    v.format !== FORMAT ||
    typeof v.id !== 'string' ||
    !Array.isArray(v.targetKeyArns) ||
    !v.targetKeyArns.every((k) => typeof k === 'string') ||
    typeof v.startedAt !== 'string' ||
    !Array.isArray(v.patterns) ||
    !v.patterns.every((p) => typeof p === 'string')
  ) {
    throw new SealboxError('ConfigInvalid', `the rotation journal ${where} is not readable`, {
      hint: `delete it to start the rotation afresh (no secret depends on it)`,
    })
  }
  return { id: v.id, targetKeyArns: v.targetKeyArns, patterns: v.patterns, startedAt: v.startedAt }
}

/** What rotation needs to know of a secret's latest version, all without decrypting it. */
export interface LatestState {
  deleted: boolean
  /** ARNs of the keys the version is sealed under (from metadata or the message header). */
  keyArns: readonly string[]
  lastModified: Date
  /** The rotation id recorded in the version's metadata, when the store keeps metadata. */
  rotationId: string | undefined
}

export type RotationStep = 'rotate' | 'fresh' | 'deleted'

/**
 * The per-secret decision of a rotation run. A version is fresh when it is on the target keys (any
 * keys, when the run keeps each secret's keys) and was written by this run or after its start (a
 * put's data key is always new). `startMark` is the journal object's last-modified time. Stores
 * report times to the second or to the millisecond, so both are compared in whole seconds and
 * only a later second counts: a version written in the start's second is rotated once more,
 * which is harmless.
 */
export function rotationStep(
  latest: LatestState,
  journal: RotationJournal,
  startMark: Date,
): RotationStep {
  if (latest.deleted) return 'deleted'
  const moving = journal.targetKeyArns.length > 0
  if (moving && !sameKeys(latest.keyArns, journal.targetKeyArns)) return 'rotate'
  if (latest.rotationId === journal.id) return 'fresh'
  return seconds(latest.lastModified) > seconds(startMark) ? 'fresh' : 'rotate'
}

/** Two key sets are the same whatever their order. */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const sorted = [...b].sort()
  return [...a].sort().every((k, i) => k === sorted[i])
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}

/** Whether a found journal continues the requested rotation or must be replaced by a new one. */
export function resumes(
  journal: RotationJournal,
  targetKeyArns: readonly string[],
  patterns: readonly string[],
): boolean {
  return (
    sameKeys(journal.targetKeyArns, targetKeyArns) &&
    journal.patterns.length === patterns.length &&
    journal.patterns.every((p, i) => p === patterns[i])
  )
}
