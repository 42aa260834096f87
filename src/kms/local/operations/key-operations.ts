import { randomUUID } from '../../../crypto/index.js'
import { SealboxError } from '../../../errors/index.js'
import { checkGrantTokens } from '../grant-token.js'
import { defaultKeyPolicy, validatePolicy } from '../policy/index.js'
import type { Handlers } from './handler.js'
import { checkTags } from './tag-operations.js'
import { intBetween, lengthBetween, paginate, required, validation } from './validate.js'

const DAY_MS = 86_400_000

type KeyOps =
  | 'CreateKey'
  | 'DescribeKey'
  | 'ListKeys'
  | 'UpdateKeyDescription'
  | 'EnableKey'
  | 'DisableKey'
  | 'ScheduleKeyDeletion'
  | 'CancelKeyDeletion'
  | 'GetKeyPolicy'
  | 'PutKeyPolicy'
  | 'ListKeyPolicies'

/** A key description as CreateKey and UpdateKeyDescription accept it: at most 8192 characters. */
export function checkDescription(description: string | undefined): void {
  lengthBetween(description, 'description', 0, 8192)
}

export const keyOperations: Handlers<KeyOps> = {
  CreateKey(e, call, input) {
    checkDescription(input.description)
    lengthBetween(input.policy, 'policy', 1, 131072)
    if (input.keyUsage !== undefined && input.keyUsage !== 'ENCRYPT_DECRYPT') {
      throw new SealboxError(
        'UnsupportedOperationException',
        `KeyUsage ${String(input.keyUsage)} is not supported by the embedded KMS`,
      )
    }
    for (const spec of [input.keySpec, input.customerMasterKeySpec]) {
      if (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') {
        throw new SealboxError(
          'UnsupportedOperationException',
          `KeySpec ${String(spec)} is not supported by the embedded KMS`,
        )
      }
    }
    const origin = input.origin ?? 'AWS_KMS'
    if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') {
      throw new SealboxError(
        'UnsupportedOperationException',
        `Origin ${String(origin)} is not supported by the embedded KMS`,
      )
    }
    if (input.multiRegion === true) {
      throw new SealboxError(
        'UnsupportedOperationException',
        'multi-Region keys are not supported by the embedded KMS',
      )
    }
    if (input.policy !== undefined) validatePolicy(input.policy)
    if (input.tags !== undefined) checkTags(input.tags, 0)
    const keyId = randomUUID()
    const policy = input.policy ?? defaultKeyPolicy(e.region.accountId)
    call.keyArn = e.arn(keyId)
    return e.keystore.durableTransaction(() => {
      e.repo.insertKey({
        key_id: keyId,
        created_ms: call.now.getTime(),
        description: input.description ?? '',
        state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        origin,
        policy,
        current_version: 0,
      })
      if (origin === 'AWS_KMS') e.addVersion(keyId, call.now.getTime(), null)
      for (const t of input.tags ?? []) e.repo.putTag(keyId, t.tagKey, t.tagValue)
      return { keyMetadata: e.metadata(e.repo.key(keyId)!) }
    })
  },

  DescribeKey(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: true })
    return { keyMetadata: e.metadata(key) }
  },

  ListKeys(e, call, input) {
    e.sweep(call.now)
    const page = paginate(
      input,
      (after, limit) => e.repo.keyIdsAfter(after, limit),
      (id) => id,
    )
    const out = {
      keys: page.items.map((keyId) => ({ keyId, keyArn: e.arn(keyId) })),
      truncated: page.truncated,
    }
    return page.nextMarker === undefined ? out : { ...out, nextMarker: page.nextMarker }
  },

  UpdateKeyDescription(e, call, input) {
    checkDescription(required(input.description, 'description'))
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() =>
      e.repo.update(key.key_id, { description: input.description }),
    )
    return {}
  },

  EnableKey(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => e.repo.update(key.key_id, { state: 'Enabled' }))
    return {}
  },

  DisableKey(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => e.repo.update(key.key_id, { state: 'Disabled' }))
    return {}
  },

  ScheduleKeyDeletion(e, call, input) {
    intBetween(input.pendingWindowInDays, 'pendingWindowInDays', 7, 30)
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const days = input.pendingWindowInDays ?? 30
    const deletionMs = call.now.getTime() + days * DAY_MS
    e.keystore.durableTransaction(() =>
      e.repo.update(key.key_id, {
        state: 'PendingDeletion',
        deletion_ms: deletionMs,
        pending_days: days,
      }),
    )
    return {
      keyId: e.arn(key.key_id),
      deletionDate: new Date(deletionMs),
      keyState: 'PendingDeletion',
      pendingWindowInDays: days,
    }
  },

  CancelKeyDeletion(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    // AWS leaves a key whose deletion was cancelled disabled.
    e.keystore.durableTransaction(() =>
      e.repo.update(key.key_id, { state: 'Disabled', deletion_ms: null, pending_days: null }),
    )
    return { keyId: e.arn(key.key_id) }
  },

  GetKeyPolicy(e, call, input) {
    const name = input.policyName ?? 'default'
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    if (name !== 'default')
      throw new SealboxError('NotFoundException', `No such policy exists: ${name}`)
    return { policy: key.policy, policyName: 'default' }
  },

  PutKeyPolicy(e, call, input) {
    const policy = required(input.policy, 'policy')
    lengthBetween(policy, 'policy', 1, 131072)
    if ((input.policyName ?? 'default') !== 'default') {
      throw validation('policyName', "Member must be 'default'", input.policyName)
    }
    validatePolicy(policy)
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => e.repo.update(key.key_id, { policy }))
    return {}
  },

  ListKeyPolicies(e, call, input) {
    e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const page = paginate(
      input,
      (after) => (after < 'default' ? ['default'] : []),
      (n) => n,
    )
    return page.nextMarker === undefined
      ? { policyNames: page.items, truncated: page.truncated }
      : { policyNames: page.items, truncated: page.truncated, nextMarker: page.nextMarker }
  },
}
