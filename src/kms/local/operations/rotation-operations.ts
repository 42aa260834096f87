import { SealboxError } from '../../../errors/index.js'
import type { Handlers } from './handler.js'
import { intBetween, paginate, required } from './validate.js'

const DAY_MS = 86_400_000
/** AWS's limit on RotateKeyOnDemand per key (not adjustable). */
export const MAX_ON_DEMAND_ROTATIONS = 25
const CONFLICT_WINDOW_MS = 20 * 60_000

type RotationOps =
  | 'EnableKeyRotation'
  | 'DisableKeyRotation'
  | 'GetKeyRotationStatus'
  | 'RotateKeyOnDemand'
  | 'ListKeyRotations'

export const rotationOperations: Handlers<RotationOps> = {
  EnableKeyRotation(e, call, input) {
    intBetween(input.rotationPeriodInDays, 'rotationPeriodInDays', 90, 2560)
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const days = input.rotationPeriodInDays ?? 365
    e.keystore.durableTransaction(() =>
      e.repo.update(key.key_id, {
        rotation_period_days: days,
        next_rotation_ms: call.now.getTime() + days * DAY_MS,
      }),
    )
    return {}
  },

  DisableKeyRotation(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() =>
      e.repo.update(key.key_id, { rotation_period_days: null, next_rotation_ms: null }),
    )
    return {}
  },

  GetKeyRotationStatus(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    if (key.rotation_period_days === null || key.next_rotation_ms === null) {
      return { keyRotationEnabled: false, keyId: e.arn(key.key_id) }
    }
    return {
      keyRotationEnabled: true,
      keyId: e.arn(key.key_id),
      rotationPeriodInDays: key.rotation_period_days,
      nextRotationDate: new Date(key.next_rotation_ms),
    }
  },

  RotateKeyOnDemand(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      const fresh = e.repo.key(key.key_id)!
      if (fresh.on_demand_rotations >= MAX_ON_DEMAND_ROTATIONS) {
        throw new SealboxError(
          'LimitExceededException',
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${e.arn(key.key_id)}`,
        )
      }
      if (
        fresh.next_rotation_ms !== null &&
        fresh.next_rotation_ms - call.now.getTime() <= CONFLICT_WINDOW_MS
      ) {
        throw new SealboxError(
          'ConflictException',
          `${e.arn(key.key_id)} has an automatic rotation in progress or scheduled to begin within the next 20 minutes.`,
        )
      }
      e.addVersion(key.key_id, call.now.getTime(), 'ON_DEMAND')
      e.repo.update(key.key_id, { on_demand_rotations: fresh.on_demand_rotations + 1 })
    })
    return { keyId: e.arn(key.key_id) }
  },

  ListKeyRotations(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const rotations = e.repo.versions(key.key_id).filter((v) => v.rotation_type !== null)
    const page = paginate(
      input,
      (after, limit) =>
        rotations.filter((v) => after === '' || v.version > Number(after)).slice(0, limit),
      (v) => String(v.version),
    )
    const out = page.items.map((v) => ({
      keyId: key.key_id,
      keyMaterialId: v.material_id,
      rotationDate: new Date(v.created_ms),
      rotationType: v.rotation_type!,
    }))
    return page.nextMarker === undefined
      ? { rotations: out, truncated: page.truncated }
      : { rotations: out, truncated: page.truncated, nextMarker: page.nextMarker }
  },
}
