import { compilePolicy } from './compile-policy.js'
import type {
  CompiledCondition,
  CompiledPolicy,
  CompiledStatement,
  PatternList,
  PrincipalMatcher,
} from './policy-document.js'

/** One call to authorize: who asks, as which account, to do what, to which key. */
export interface PolicyRequest {
  principal: string
  callerAccount: string
  /** An IAM action name, e.g. `kms:Encrypt`. */
  action: string
  /** The key ARN. */
  resource: string
  encryptionContext?: Readonly<Record<string, string>>
  /** For CreateGrant: the grant asked for, as the `kms:Grant*` condition keys read it. */
  grant?: {
    operations: readonly string[]
    granteePrincipal: string
    retiringPrincipal?: string
    constraintType?: 'EncryptionContextEquals' | 'EncryptionContextSubset'
  }
}

export type PolicyDecision =
  | { allowed: true }
  /** `explicitDeny`: a Deny statement applies, which no grant can override. */
  | { allowed: false; explicitDeny: boolean; reason: string }

// Every KMS call evaluates its key's policy; compiling once per distinct document keeps that cheap.
const CACHE_SIZE = 128
const cache = new Map<string, CompiledPolicy>()

function compiled(policyJson: string): CompiledPolicy {
  const hit = cache.get(policyJson)
  if (hit !== undefined) return hit
  const policy = compilePolicy(policyJson)
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
  cache.set(policyJson, policy)
  return policy
}

/**
 * IAM evaluation of a resource-based policy: an applicable Deny wins, else an applicable Allow
 * allows, else the request is implicitly denied. Throws `MalformedPolicyDocumentException` for a
 * document `validatePolicy` would refuse.
 */
export function evaluatePolicy(policyJson: string, request: PolicyRequest): PolicyDecision {
  let allowed = false
  for (const statement of compiled(policyJson).statements) {
    if (!applies(statement, request)) continue
    if (statement.effect === 'Deny') {
      return {
        allowed: false,
        explicitDeny: true,
        reason: `User: ${request.principal} is not authorized to perform: ${request.action} on resource: ${request.resource} with an explicit deny in a resource-based policy`,
      }
    }
    allowed = true
  }
  if (allowed) return { allowed: true }
  return {
    allowed: false,
    explicitDeny: false,
    reason: `User: ${request.principal} is not authorized to perform: ${request.action} on resource: ${request.resource} because no resource-based policy allows the ${request.action} action`,
  }
}

function applies(s: CompiledStatement, r: PolicyRequest): boolean {
  return (
    principalMatches(s.principal, r) &&
    listMatches(s.action, r.action) &&
    listMatches(s.resource, r.resource) &&
    s.conditions.every((c) => conditionHolds(c, r))
  )
}

/** A role named in a policy also covers its sessions (`arn:aws:sts::A:assumed-role/R/S`). */
export function roleOfSession(principal: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(principal)
  return m === null ? undefined : `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`
}

function principalMatches(p: PrincipalMatcher, r: PolicyRequest): boolean {
  // An account root names every principal of that account: there is no IAM to delegate to.
  const named =
    p.anyone ||
    p.accounts.has(r.callerAccount) ||
    p.arns.has(r.principal) ||
    (p.arns.size > 0 && [...p.arns].some((arn) => sameRole(arn, r.principal)))
  return p.negated ? !named : named
}

function sameRole(policyArn: string, principal: string): boolean {
  const role = roleOfSession(principal)
  if (role === undefined) return false
  // A policy role ARN may carry a path (`role/path/R`); a session ARN never does.
  const m = /^(arn:aws[a-z-]*:iam::\d{12}:role\/)(?:.*\/)?([^/]+)$/.exec(policyArn)
  return m !== null && `${m[1]}${m[2]}` === role
}

function listMatches(list: PatternList, value: string): boolean {
  const named = list.patterns.some((p) => p.test(value))
  return list.negated ? !named : named
}

/** The request's values for a condition key; `undefined` when the key is absent. */
function requestValues(key: string, r: PolicyRequest): string[] | undefined {
  switch (key) {
    case 'kms:calleraccount':
    case 'aws:principalaccount':
      return [r.callerAccount]
    case 'aws:principalarn':
      return [r.principal]
    case 'kms:grantoperations':
      return r.grant === undefined ? undefined : [...r.grant.operations]
    case 'kms:granteeprincipal':
      return r.grant === undefined ? undefined : [r.grant.granteePrincipal]
    case 'kms:retiringprincipal':
      return r.grant?.retiringPrincipal === undefined ? undefined : [r.grant.retiringPrincipal]
    case 'kms:grantconstrainttype':
      return r.grant?.constraintType === undefined ? undefined : [r.grant.constraintType]
    case 'kms:grantisforawsresource':
      // no AWS service acts through the embedded KMS
      return r.grant === undefined ? undefined : ['false']
    case 'kms:encryptioncontextkeys': {
      const keys = Object.keys(r.encryptionContext ?? {})
      return keys.length === 0 ? undefined : keys
    }
  }
  const prefix = 'kms:encryptioncontext:'
  if (key.startsWith(prefix) && key.length > prefix.length && r.encryptionContext !== undefined) {
    // The context key inside the condition key name is matched without regard to case.
    const wanted = key.slice(prefix.length)
    const values = Object.entries(r.encryptionContext)
      .filter(([k]) => k.toLowerCase() === wanted)
      .map(([, v]) => v)
    return values.length === 0 ? undefined : values
  }
  return undefined
}

function valueMatches(c: CompiledCondition, value: string): boolean {
  switch (c.comparison) {
    case 'equals':
      return c.values.includes(value)
    case 'equalsIgnoreCase':
    case 'bool': {
      const v = value.toLowerCase()
      return c.values.some((x) => x.toLowerCase() === v)
    }
    case 'like':
      return c.patterns.some((p) => p.test(value))
  }
}

function conditionHolds(c: CompiledCondition, r: PolicyRequest): boolean {
  const values = requestValues(c.key, r)
  if (c.kind === 'null') return c.values.some((v) => (v === 'true') === (values === undefined))
  if (values === undefined) {
    if (c.ifExists) return true
    // IAM: ForAllValues over an absent key is vacuously true, ForAnyValue false; a negated
    // operator (StringNotEquals, StringNotLike, ...) holds when the key is absent.
    if (c.setOperator === 'ForAllValues') return true
    if (c.setOperator === 'ForAnyValue') return false
    return c.negated
  }
  const holdsFor = (v: string): boolean => valueMatches(c, v) !== c.negated
  if (c.setOperator === 'ForAllValues') return values.every(holdsFor)
  if (c.setOperator === 'ForAnyValue') return values.some(holdsFor)
  // Without a set operator a key with several values matches when any value matches, and a
  // negated operator holds only when none does.
  return c.negated ? values.every(holdsFor) : values.some(holdsFor)
}
