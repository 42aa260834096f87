import type { EncryptionContext } from '../../encoding/index.js'
import type { GrantConstraints, GrantOperation } from '../types/index.js'
import type { Grant } from './grant-repository.js'

// The operations a context constraint applies to; DescribeKey, RetireGrant and CreateGrant
// are allowed by a constrained grant regardless of any context.
const TAKES_CONTEXT = new Set<GrantOperation>([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
])

/**
 * Every pair of `inner` is in `outer`: in a grant constraint a context key matches without
 * regard to case, its value exactly. Pairs are compared one by one, so a context holding keys
 * that differ only by case cannot hide one behind the other.
 */
function includes(
  outer: Readonly<Record<string, string>>,
  inner: Readonly<Record<string, string>>,
): boolean {
  const pairs = Object.entries(outer).map(([k, v]) => [k.toLowerCase(), v] as const)
  return Object.entries(inner).every(([k, v]) => {
    const key = k.toLowerCase()
    return pairs.some(([ok, ov]) => ok === key && ov === v)
  })
}

function sameContext(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) {
  return Object.keys(a).length === Object.keys(b).length && includes(a, b) && includes(b, a)
}

/** Whether a request's encryption context meets a grant's constraints. */
function constraintsHold(
  constraints: GrantConstraints | undefined,
  context: EncryptionContext,
): boolean {
  if (constraints === undefined) return true
  if (constraints.encryptionContextEquals !== undefined)
    return sameContext(context, constraints.encryptionContextEquals)
  if (constraints.encryptionContextSubset !== undefined)
    return includes(context, constraints.encryptionContextSubset)
  return true
}

/** Whether `grant` allows `operation` for a request with this encryption context. */
export function grantAllows(
  grant: Grant,
  operation: string,
  context: EncryptionContext | undefined,
): boolean {
  const op = operation as GrantOperation
  if (!grant.operations.has(op)) return false
  return !TAKES_CONTEXT.has(op) || constraintsHold(grant.constraints, context ?? {})
}

/**
 * A grant made with the CreateGrant permission of another grant may allow no more than it: its
 * operations are among the parent's, and its constraint is as strict or stricter.
 */
export function withinGrant(
  parent: Grant,
  operations: readonly GrantOperation[],
  constraints: GrantConstraints | undefined,
): boolean {
  if (!parent.operations.has('CreateGrant')) return false
  if (!operations.every((op) => parent.operations.has(op))) return false
  const p = parent.constraints
  if (p === undefined) return true
  if (p.encryptionContextEquals !== undefined) {
    return (
      constraints?.encryptionContextEquals !== undefined &&
      sameContext(constraints.encryptionContextEquals, p.encryptionContextEquals)
    )
  }
  if (p.encryptionContextSubset !== undefined) {
    const child = constraints?.encryptionContextEquals ?? constraints?.encryptionContextSubset
    return child !== undefined && includes(child, p.encryptionContextSubset)
  }
  return true
}
