import type { AuditEvent, AuditFilter } from '../../../audit/types/index.js'
import { CRYPTOGRAPHIC_OPERATIONS, type KeyLastUsage } from '../../types/index.js'
import type { Handlers } from './handler.js'
import { required } from './validate.js'

export const usageOperations: Handlers<'GetKeyLastUsage'> = {
  /**
   * Answered from the audit log, which records every call from the key's creation on: the
   * newest successful cryptographic event naming the key, as its key or as a ReEncrypt's
   * destination (AWS counts a ReEncrypt as a use of both keys).
   */
  GetKeyLastUsage(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const arn = e.arn(key.key_id)
    // one query per role, each answered from its own index newest first
    const newest = (filter: AuditFilter): AuditEvent | undefined => {
      const [event] = e.audit.query({ ...filter, outcome: 'ok', newestFirst: true, limit: 1 })
      return event
    }
    // AWS tracks the successful cryptographic operations (KeyLastUsageTrackingOperation)
    const asKey = newest({ keyArn: arn, operations: CRYPTOGRAPHIC_OPERATIONS })
    const asDestination = newest({ destinationKeyArn: arn, operation: 'ReEncrypt' })
    const event =
      asKey === undefined || (asDestination !== undefined && asDestination.seq > asKey.seq)
        ? asDestination
        : asKey
    // AWS answers an empty KeyLastUsage for a key not used since tracking began
    const last: KeyLastUsage =
      event === undefined
        ? {}
        : {
            operation: event.operation,
            timestamp: event.time,
            cloudTrailEventId: `sealbox-audit-${event.seq}`,
            kmsRequestId: event.requestId,
          }
    const created = new Date(key.created_ms)
    return {
      keyId: arn,
      keyLastUsage: last,
      trackingStartDate: created,
      keyCreationDate: created,
    }
  },
}
