import { SealboxError } from '../errors/index.js'
import {
  CRYPTOGRAPHIC_OPERATIONS,
  KMS_OPERATION_NAMES,
  type KmsOperationName,
} from '../kms/types/index.js'
import { awsError, type AwsError } from './aws-error.js'
import { CRYPTO_QUOTA_OPERATIONS } from './crypto-rate-limit.js'

/** The errors a server can inject: all retried by the AWS SDKs (5xx, or a throttling code). */
export const FAULT_TYPES = [
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ThrottlingException',
] as const
export type FaultType = (typeof FAULT_TYPES)[number]

const KEY_MATERIAL_OPERATIONS = new Set<KmsOperationName>(CRYPTOGRAPHIC_OPERATIONS)
// The operations whose AWS model lists no DependencyTimeoutException.
const NO_DEPENDENCY_TIMEOUT = new Set<KmsOperationName>([
  'ListKeyRotations',
  'ListResourceTags',
  'TagResource',
  'UntagResource',
])

// An injected error is one the operation can raise at AWS, so clients meet no impossible error.
const RAISED_BY: Record<FaultType, (op: KmsOperationName) => boolean> = {
  KMSInternalException: () => true,
  DependencyTimeoutException: (op) => !NO_DEPENDENCY_TIMEOUT.has(op),
  KeyUnavailableException: (op) => KEY_MATERIAL_OPERATIONS.has(op),
  ThrottlingException: () => true,
}

export interface FaultOptions {
  /** The share of verified requests answered with an injected error without touching a key. */
  rate?: number
  /** Drawn evenly among those the operation can raise (default: KMSInternalException). */
  types?: readonly FaultType[]
  /** Milliseconds, drawn evenly from min to max, before a cryptographic request is answered. */
  latency?: { min: number; max: number }
  /** Draws in [0, 1) (default Math.random); `seededRandom` makes a run reproducible. */
  random?: () => number
}

export interface FaultDraw {
  error: AwsError | undefined
  delayMs: number
}

/**
 * What `sealbox serve --fault-rate / --fault-types / --latency` does to a request. Every draw is
 * made when the request arrives, so with seeded draws the same requests in the same order meet
 * the same faults and delays, however long each delay lasts.
 */
export class FaultInjection {
  private readonly rate: number
  /** Each operation's share of the fault types: the ones it can raise at AWS, worked out once. */
  private readonly raisable: ReadonlyMap<KmsOperationName, readonly FaultType[]>
  private readonly random: () => number

  constructor(private readonly options: FaultOptions) {
    this.rate = options.rate ?? 0
    const types = options.types ?? ['KMSInternalException']
    this.random = options.random ?? Math.random
    if (!(this.rate >= 0 && this.rate <= 1)) {
      throw new SealboxError('UsageError', `the fault rate must be from 0 to 1, not ${this.rate}`)
    }
    const unknown = types.find((t) => !FAULT_TYPES.includes(t))
    if (types.length === 0 || unknown !== undefined) {
      throw new SealboxError(
        'UsageError',
        `fault types must be one or more of ${FAULT_TYPES.join(', ')}${unknown === undefined ? '' : `, not '${String(unknown)}'`}`,
      )
    }
    const { min, max } = options.latency ?? { min: 0, max: 0 }
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) {
      throw new SealboxError(
        'UsageError',
        `latency must be whole milliseconds with 0 <= min <= max, not ${min}-${max}`,
      )
    }
    this.raisable = new Map(
      KMS_OPERATION_NAMES.map((op) => [op, types.filter((type) => RAISED_BY[type](op))]),
    )
  }

  draw(op: KmsOperationName): FaultDraw {
    let error: AwsError | undefined
    if (this.rate > 0 && this.random() < this.rate) {
      const types = this.raisable.get(op) ?? []
      const type = types.length > 1 ? types[Math.floor(this.random() * types.length)] : types[0]
      if (type !== undefined) error = awsError(type, 'injected fault (sealbox serve --fault-rate)')
    }
    const latency = this.options.latency
    let delayMs = 0
    if (latency !== undefined && CRYPTO_QUOTA_OPERATIONS.has(op)) {
      delayMs =
        latency.max > latency.min
          ? latency.min + Math.floor(this.random() * (latency.max - latency.min + 1))
          : latency.min
    }
    return { error, delayMs }
  }
}
