import { CRYPTOGRAPHIC_OPERATIONS, type KeyLastUsage } from '../../types/index.js'
import type { Handlers } from './handler.js'
import { required } from './validate.js'

export const usageOperations: Handlers<'GetKeyLastUsage'> = {
  /**
   * Answered from the audit log, which records every call from the key's creation on: the
   * newest successful cryptographic event naming the key. A ReEncrypt is recorded under its
   * source key.
   */
  GetKeyLastUsage(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const arn = e.arn(key.key_id)
    // AWS answers an empty KeyLastUsage for a key not used since tracking began
    let last: KeyLastUsage = {}
    for (const event of e.audit.query({
      keyArn: arn,
      outcome: 'ok',
      // AWS tracks the successful cryptographic operations (KeyLastUsageTrackingOperation)
      operations: CRYPTOGRAPHIC_OPERATIONS,
      newestFirst: true,
      limit: 1,
    })) {
      last = {
        operation: event.operation,
        timestamp: event.time,
        cloudTrailEventId: `sealbox-audit-${event.seq}`,
        kmsRequestId: event.requestId,
      }
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
