import type { KmsPort } from './operations.js'

/** Who makes a KMS call: the principal the key policy is evaluated for and the audit names. */
export interface Caller {
  /** An IAM-style ARN, e.g. `arn:aws:iam::111122223333:user/alice`. */
  principal: string
  accountId: string
  requestId?: string
  sourceIp?: string
  userAgent?: string
}

/** A KMS that can act for different callers: what `sealbox serve` needs per request. */
export interface KmsProvider {
  forCaller(caller: Caller): KmsPort
}
