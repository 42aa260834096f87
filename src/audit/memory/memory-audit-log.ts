import type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditLog,
  AuditVerifyResult,
} from '../types/index.js'

/** An in-memory audit log for tests: records events, no hash chain to verify. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = []

  append(event: AuditEventInput): void {
    this.events.push({ ...event, seq: this.events.length + 1, prevHash: '', hash: '' })
  }

  committed(): Promise<void> {
    return Promise.resolve()
  }

  *query(filter: AuditFilter): Iterable<AuditEvent> {
    let n = 0
    for (const e of filter.newestFirst === true ? [...this.events].reverse() : this.events) {
      if (filter.limit !== undefined && n >= filter.limit) return
      if (filter.keyArn !== undefined && e.keyArn !== filter.keyArn) continue
      if (
        filter.destinationKeyArn !== undefined &&
        e.destinationKeyArn !== filter.destinationKeyArn
      )
        continue
      if (
        filter.anyKeyArn !== undefined &&
        e.keyArn !== filter.anyKeyArn &&
        e.destinationKeyArn !== filter.anyKeyArn
      )
        continue
      if (filter.operation !== undefined && e.operation !== filter.operation) continue
      if (filter.operations !== undefined && !filter.operations.includes(e.operation)) continue
      if (filter.principal !== undefined && e.principal !== filter.principal) continue
      if (filter.outcome !== undefined && e.outcome !== filter.outcome) continue
      if (filter.since !== undefined && e.time < filter.since) continue
      if (filter.until !== undefined && e.time > filter.until) continue
      if (Object.entries(filter.context ?? {}).some(([k, v]) => e.encryptionContext?.[k] !== v))
        continue
      n++
      yield e
    }
  }

  verify(): AuditVerifyResult {
    return { ok: true, events: this.events.length }
  }
}
