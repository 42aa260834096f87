import { randomBytes } from '../../../crypto/index.js'
import { SealboxError } from '../../../errors/index.js'
import {
  GRANT_OPERATIONS,
  type GrantConstraints,
  type GrantListEntry,
  type Page,
} from '../../types/index.js'
import type { Call, Engine } from '../engine.js'
import { toGrant, type GrantRow } from '../grant-repository.js'
import {
  checkGrantTokens,
  checkTokenShape,
  grantIdOfToken,
  invalidGrantToken,
  issueGrantToken,
} from '../grant-token.js'
import { parseKeyRef } from '../key-ids.js'
import { roleOfSession } from '../policy/index.js'
import { withinGrant } from '../grant-rules.js'
import type { Handlers } from './handler.js'
import { dryRun, paginate, required, validation } from './validate.js'

type GrantOps = 'CreateGrant' | 'ListGrants' | 'ListRetirableGrants' | 'RetireGrant' | 'RevokeGrant'

// AWS's quota of grants per key.
const MAX_GRANTS_PER_KEY = 50_000
const GRANTABLE = new Set<string>(GRANT_OPERATIONS)
const GRANT_ID = /^[0-9a-f]{64}$/
// An IAM user or role, an account root, an assumed-role session, or an AWS service principal.
const PRINCIPAL = /^(arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+|[a-z0-9.-]+\.amazonaws\.com)$/
const CONTEXT_PAIRS_MAX = 8
const CONTEXT_VALUE_MAX = 384

function checkPrincipal(value: string, member: string): void {
  if (!PRINCIPAL.test(value)) throw validation(member, 'Member must be a principal ARN', value)
}

function checkGrantId(grantId: string): void {
  if (!GRANT_ID.test(grantId))
    throw new SealboxError('InvalidGrantIdException', `Invalid grant ID: ${grantId.slice(0, 128)}`)
}

function checkConstraints(c: GrantConstraints | undefined): GrantConstraints | undefined {
  if (c === undefined) return undefined
  const equals = c.encryptionContextEquals
  const subset = c.encryptionContextSubset
  if (equals !== undefined && subset !== undefined) {
    throw new SealboxError(
      'ValidationException',
      'A grant constraint can have EncryptionContextEquals or EncryptionContextSubset, not both',
    )
  }
  const context = equals ?? subset
  if (context === undefined) return undefined
  const pairs = Object.entries(context)
  if (pairs.length > CONTEXT_PAIRS_MAX)
    throw new SealboxError(
      'ValidationException',
      `A grant constraint has at most ${CONTEXT_PAIRS_MAX} pairs`,
    )
  for (const [, v] of pairs) {
    if (v.length > CONTEXT_VALUE_MAX) {
      throw new SealboxError(
        'ValidationException',
        `A grant constraint value has at most ${CONTEXT_VALUE_MAX} characters`,
      )
    }
  }
  // keys sorted: the same constraint is always stored, and compared, the same way
  const sorted = Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return equals !== undefined
    ? { encryptionContextEquals: sorted }
    : { encryptionContextSubset: sorted }
}

function sortedOperations(json: string): string {
  return JSON.stringify((JSON.parse(json) as string[]).sort())
}

function sameGrant(
  row: GrantRow,
  wanted: Pick<GrantRow, 'name' | 'grantee' | 'retiring' | 'operations' | 'constraints'>,
): boolean {
  return (
    row.name === wanted.name &&
    row.grantee === wanted.grantee &&
    row.retiring === wanted.retiring &&
    sortedOperations(row.operations) === sortedOperations(wanted.operations) &&
    row.constraints === wanted.constraints
  )
}

function entry(e: Engine, row: GrantRow): GrantListEntry {
  const g = toGrant(row)
  const out: GrantListEntry = {
    keyId: e.arn(row.key_id),
    grantId: row.grant_id,
    creationDate: new Date(row.created_ms),
    granteePrincipal: row.grantee,
    issuingAccount: `arn:aws:iam::${row.issuing_account}:root`,
    operations: [...g.operations],
  }
  if (row.name !== null) out.name = row.name
  if (row.retiring !== null) out.retiringPrincipal = row.retiring
  if (g.constraints !== undefined) out.constraints = g.constraints
  return out
}

/** A page of grants in grant-id order: 50 unless asked, at most 100, as AWS lists them. */
function grantPage(
  e: Engine,
  input: { limit?: number; marker?: string },
  fetch: (after: string, limit: number) => GrantRow[],
): Page & { grants: GrantListEntry[] } {
  const page = paginate(input, fetch, (r) => r.grant_id, 50, 100)
  const grants = page.items.map((r) => entry(e, r))
  return page.nextMarker === undefined
    ? { grants, truncated: page.truncated }
    : { grants, truncated: page.truncated, nextMarker: page.nextMarker }
}

/** Retiring is for the retiring principal, the grantee when the grant allows it, and the issuing account. */
function mayRetire(call: Call, row: GrantRow): boolean {
  const caller = call.caller.principal
  // a principal named in a grant also covers the sessions of that role
  const names = new Set([caller, roleOfSession(caller)])
  return (
    (row.retiring !== null && names.has(row.retiring)) ||
    (names.has(row.grantee) && toGrant(row).operations.has('RetireGrant')) ||
    caller === `arn:aws:iam::${row.issuing_account}:root`
  )
}

export const grantOperations: Handlers<GrantOps> = {
  CreateGrant(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    const grantee = required(input.granteePrincipal, 'granteePrincipal')
    checkPrincipal(grantee, 'granteePrincipal')
    if (input.retiringPrincipal !== undefined)
      checkPrincipal(input.retiringPrincipal, 'retiringPrincipal')
    const operations = [...new Set(required(input.operations, 'operations'))]
    if (operations.length === 0)
      throw validation('operations', 'Member must have length greater than or equal to 1')
    for (const op of operations) {
      if (!GRANTABLE.has(op)) {
        throw validation(
          'operations',
          `Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]`,
          op,
        )
      }
    }
    const constraints = checkConstraints(input.constraints)
    // The key policy's kms:CreateGrant, or a grant of CreateGrant that covers everything this one gives.
    const constrained = constraints?.encryptionContextEquals ?? constraints?.encryptionContextSubset
    const key = e.key(call, required(input.keyId, 'keyId'), {
      allowAlias: false,
      grant: (g) => withinGrant(g, operations, constraints),
      // the policy sees the grant asked for: kms:GrantOperations, kms:GranteePrincipal... and
      // kms:EncryptionContext:* from its constraint
      grantRequest: {
        operations,
        granteePrincipal: grantee,
        ...(input.retiringPrincipal === undefined
          ? {}
          : { retiringPrincipal: input.retiringPrincipal }),
        ...(constraints === undefined
          ? {}
          : {
              constraintType:
                constraints.encryptionContextEquals !== undefined
                  ? ('EncryptionContextEquals' as const)
                  : ('EncryptionContextSubset' as const),
            }),
      },
      ...(constrained === undefined ? {} : { context: constrained }),
    })
    dryRun(input.dryRun)
    const wanted = {
      name: input.name ?? null,
      grantee,
      retiring: input.retiringPrincipal ?? null,
      operations: JSON.stringify(operations),
      constraints: constraints === undefined ? null : JSON.stringify(constraints),
    }
    const row = e.keystore.durableTransaction(() => {
      if (wanted.name !== null) {
        // A retried CreateGrant with the same name and parameters gives the same grant back,
        // with a new token, as AWS does.
        const same = e.grants.named(key.key_id, wanted.name).find((r) => sameGrant(r, wanted))
        if (same !== undefined) return { ...same, token: issueGrantToken(e, same.grant_id) }
      }
      if (e.grants.count(key.key_id) >= MAX_GRANTS_PER_KEY) {
        throw new SealboxError(
          'LimitExceededException',
          `${e.arn(key.key_id)} has the most grants a key can have (${MAX_GRANTS_PER_KEY})`,
        )
      }
      const grantId = Buffer.from(randomBytes(32)).toString('hex')
      const created: GrantRow = {
        ...wanted,
        grant_id: grantId,
        key_id: key.key_id,
        token: issueGrantToken(e, grantId),
        issuing_account: e.region.accountId,
        created_ms: call.now.getTime(),
      }
      e.grants.insert(created)
      return created
    })
    return { grantId: row.grant_id, grantToken: row.token }
  },

  ListGrants(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const { grantId, granteePrincipal } = input
    if (grantId !== undefined) checkGrantId(grantId)
    return grantPage(e, input, (after, limit) => {
      if (grantId === undefined) return e.grants.ofKey(key.key_id, after, limit, granteePrincipal)
      const row = e.grants.byId(grantId)
      const wanted =
        row !== undefined &&
        row.key_id === key.key_id &&
        row.grant_id > after &&
        (granteePrincipal === undefined || row.grantee === granteePrincipal)
      return wanted ? [row] : []
    })
  },

  ListRetirableGrants(e, call, input) {
    const principal = required(input.retiringPrincipal, 'retiringPrincipal')
    checkPrincipal(principal, 'retiringPrincipal')
    // Without IAM policies, a principal may list what it, or another principal of its own account, may retire.
    const account = /::(\d{12}):/.exec(principal)?.[1]
    if (principal !== call.caller.principal && account !== call.caller.accountId) {
      throw new SealboxError(
        'AccessDeniedException',
        `User: ${call.caller.principal} is not authorized to perform: kms:ListRetirableGrants for ${principal}`,
      )
    }
    return grantPage(e, input, (after, limit) => e.grants.retirable(principal, after, limit))
  },

  RetireGrant(e, call, input) {
    let row: GrantRow | undefined
    if (input.grantToken !== undefined) {
      checkTokenShape(input.grantToken, 'grantToken')
      const grantId = grantIdOfToken(e, input.grantToken)
      row = grantId === undefined ? undefined : e.grants.byId(grantId)
      // the token of a grant already retired or revoked names nothing left to retire
      if (row === undefined) throw invalidGrantToken()
    } else if (input.keyId !== undefined && input.grantId !== undefined) {
      checkGrantId(input.grantId)
      const form = parseKeyRef(e.region, input.keyId, false)
      const key = form.kind === 'alias' ? undefined : e.live(form.keyId, call.now)
      row = e.grants.byId(input.grantId)
      if (key === undefined || row === undefined || row.key_id !== key.key_id)
        throw new SealboxError('NotFoundException', `Grant ID ${input.grantId} not found`)
    } else {
      throw new SealboxError(
        'ValidationException',
        'Specify a GrantToken, or a KeyId and a GrantId',
      )
    }
    call.keyArn ??= e.arn(row.key_id)
    if (!mayRetire(call, row)) {
      throw new SealboxError(
        'AccessDeniedException',
        `User: ${call.caller.principal} is not authorized to perform: kms:RetireGrant on grant ${row.grant_id}`,
      )
    }
    dryRun(input.dryRun)
    const grantId = row.grant_id
    e.keystore.durableTransaction(() => e.grants.remove(grantId))
    return {}
  },

  RevokeGrant(e, call, input) {
    const grantId = required(input.grantId, 'grantId')
    const key = e.key(call, required(input.keyId, 'keyId'), {
      allowAlias: false,
      grant: () => false,
    })
    checkGrantId(grantId)
    const row = e.grants.byId(grantId)
    if (row === undefined || row.key_id !== key.key_id)
      throw new SealboxError('NotFoundException', `Grant ID ${grantId} not found`)
    dryRun(input.dryRun)
    e.keystore.durableTransaction(() => e.grants.remove(grantId))
    return {}
  },
}
