import type { EncryptionContext } from '../../encoding/index.js'

/** What a KMS call appends to the audit log. Never plaintext, never key material. */
export interface AuditEventInput {
  time: Date
  principal: string
  operation: string
  keyArn?: string
  /** A ReEncrypt's destination key; `keyArn` is its source. */
  destinationKeyArn?: string
  encryptionContext?: EncryptionContext
  /** The backing-key version (key material id) the operation used, when it used one. */
  keyMaterialId?: string
  /** `ok`, or the error code the call failed with (e.g. `AccessDeniedException`). */
  outcome: string
  requestId: string
  sourceIp?: string
}

/** A stored event: its place in the chain and the hash linking it to the one before. */
export interface AuditEvent extends AuditEventInput {
  seq: number
  prevHash: string
  hash: string
}

export interface AuditFilter {
  keyArn?: string
  destinationKeyArn?: string
  /** Events that name this key, as `keyArn` or as `destinationKeyArn`. */
  anyKeyArn?: string
  operation?: string
  /** Any of these operations. */
  operations?: readonly string[]
  principal?: string
  since?: Date
  until?: Date
  /** Every pair must be present in the event's encryption context. */
  context?: EncryptionContext
  outcome?: string
  limit?: number
  /** The newest event first (default: in the order they were appended). */
  newestFirst?: boolean
}

export type AuditVerifyResult =
  { ok: true; events: number } | { ok: false; events: number; seq: number; reason: string }

/** The append-only, hash-chained log of key use (DESIGN.md decision 5). */
export interface AuditLog {
  /** Appends an event; a log may hold it until `committed()` settles. */
  append(event: AuditEventInput): void
  /**
   * Settles once every event appended before the call is in the log, or rejects if writing it
   * failed; a log that writes in `append` resolves at once. Callers answer only after this.
   */
  committed(): Promise<void>
  query(filter: AuditFilter): Iterable<AuditEvent>
  verify(): AuditVerifyResult
}
