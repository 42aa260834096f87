import { CRYPTOGRAPHIC_OPERATIONS, type KmsOperationName } from '../kms/types/index.js'

/** The operations that share AWS KMS's cryptographic-operations request quota. */
export const CRYPTO_QUOTA_OPERATIONS: ReadonlySet<KmsOperationName> = new Set<KmsOperationName>([
  ...CRYPTOGRAPHIC_OPERATIONS,
  'GenerateRandom',
])

/**
 * A token bucket standing in for AWS's shared quota on cryptographic operations: `perSecond`
 * requests a second, with bursts of up to one second's worth. Beyond it a request is refused
 * with ThrottlingException, as AWS does, so clients' retry and data-key caching can be tested.
 */
export class CryptoRateLimit {
  private tokens: number
  private last: number
  private readonly burst: number

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, perSecond)
    this.tokens = this.burst
    this.last = this.now()
  }

  /** Whether `op` may run now; takes a token when it is a cryptographic operation. */
  admit(op: KmsOperationName): boolean {
    if (!CRYPTO_QUOTA_OPERATIONS.has(op)) return true
    const t = this.now()
    // a bucket holds at least one token, so a rate below one a second still admits requests
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
