import type { KeyLastUsage } from '../../types/index.js'
import type { Handlers } from './handler.js'
import { required } from './validate.js'

// AWS tracks the successful cryptographic operations (KeyLastUsageTrackingOperation).
const TRACKED = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
])

export const usageOperations: Handlers<'GetKeyLastUsage'> = {
  /**
   * Answered from the audit log, which records every call from the key's creation on: the
   * newest successful cryptographic event naming the key. A ReEncrypt is recorded under its
   * source key.
   */
  GetKeyLastUsage(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const arn = e.arn(key.key_id)
    let last: KeyLastUsage | undefined
    for (const event of e.audit.query({ keyArn: arn, outcome: 'ok', newestFirst: true })) {
      if (!TRACKED.has(event.operation)) continue
      last = {
        operation: event.operation,
        timestamp: event.time,
        cloudTrailEventId: `sealbox-audit-${event.seq}`,
        kmsRequestId: event.requestId,
      }
      break
    }
    const created = new Date(key.created_ms)
    return {
      keyId: arn,
      ...(last === undefined ? {} : { keyLastUsage: last }),
      trackingStartDate: created,
      keyCreationDate: created,
    }
  },
}
