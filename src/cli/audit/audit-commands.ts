import type { Writable } from 'node:stream'
import type { AuditEvent, AuditFilter, AuditLog } from '../../audit/types/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import { KMS_OPERATION_NAMES, type KmsPort } from '../../kms/types/index.js'
import { contextPairs } from './context-pairs.js'
import { eventJson, eventTable } from './event-table.js'
import { timeBound } from './time-bound.js'

export interface AuditLsFlags {
  keyId?: string
  operation?: string
  principal?: string
  since?: string
  until?: string
  context?: string[]
  outcome?: string
  limit?: string
  output?: string
}

export interface AuditDeps {
  audit: () => Promise<AuditLog>
  kms: () => Promise<KmsPort>
  /** The keystore's clock (which `sealbox kms advance-clock` moves), for `--since 1h`. */
  now: () => Promise<Date>
  stdout: Writable
}

const KEY_ARN = /^arn:[^:]+:kms:[^:]*:\d{12}:key\/.+$/
const OPERATIONS = new Map(KMS_OPERATION_NAMES.map((op) => [op.toLowerCase(), op]))

/** `GenerateDataKey`, `generate-data-key` and `generatedatakey` all name one operation. */
function operationName(text: string): string {
  return OPERATIONS.get(text.replace(/-/g, '').toLowerCase()) ?? text
}

type KeyMatch = { keyArn: string } | { keyIdSuffix: string }

// A key ARN is taken as is (the key may be long deleted); other forms ask the KMS. A bare key id
// the KMS no longer knows still finds the events of the deleted key.
async function resolveKey(keyId: string, deps: AuditDeps): Promise<KeyMatch> {
  if (KEY_ARN.test(keyId)) return { keyArn: keyId }
  try {
    const { keyMetadata } = await (await deps.kms()).describeKey({ keyId })
    return { keyArn: keyMetadata.arn }
  } catch (e) {
    if (isSealboxError(e, 'NotFoundException') && /^[0-9a-z-]+$/i.test(keyId))
      return { keyIdSuffix: `:key/${keyId}` }
    throw e
  }
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new SealboxError(
      'UsageError',
      `--limit must be a positive integer, not ${JSON.stringify(text)}`,
    )
  }
  return Number(text)
}

/** `sealbox audit ls`: the events that match every filter given, oldest first. */
export async function auditList(flags: AuditLsFlags, deps: AuditDeps): Promise<void> {
  const output = flags.output ?? 'table'
  if (output !== 'table' && output !== 'json' && output !== 'jsonl') {
    throw new SealboxError(
      'UsageError',
      `unsupported --output ${output}: expected table, json or jsonl`,
    )
  }
  const limit = limitOf(flags.limit)
  const filter: AuditFilter = {}
  if (flags.since !== undefined || flags.until !== undefined) {
    const now = await deps.now()
    if (flags.since !== undefined) filter.since = timeBound(flags.since, '--since', now)
    if (flags.until !== undefined) filter.until = timeBound(flags.until, '--until', now)
  }
  if (flags.context !== undefined && flags.context.length > 0)
    filter.context = contextPairs(flags.context)
  if (flags.operation !== undefined) filter.operation = operationName(flags.operation)
  if (flags.principal !== undefined) filter.principal = flags.principal
  if (flags.outcome !== undefined) filter.outcome = flags.outcome
  let suffix: string | undefined
  if (flags.keyId !== undefined) {
    const match = await resolveKey(flags.keyId, deps)
    if ('keyArn' in match) filter.anyKeyArn = match.keyArn
    else suffix = match.keyIdSuffix
  }
  if (limit !== undefined && suffix === undefined) filter.limit = limit
  const log = await deps.audit()
  const events: AuditEvent[] = []
  for (const event of log.query(filter)) {
    if (
      suffix !== undefined &&
      !(event.keyArn ?? '').endsWith(suffix) &&
      !(event.destinationKeyArn ?? '').endsWith(suffix)
    )
      continue
    events.push(event)
    if (limit !== undefined && events.length >= limit) break
  }
  if (output === 'table') deps.stdout.write(eventTable(events))
  else if (output === 'json')
    deps.stdout.write(JSON.stringify(events.map(eventJson), null, 2) + '\n')
  else deps.stdout.write(events.map((e) => JSON.stringify(eventJson(e)) + '\n').join(''))
}

/** `sealbox audit verify`: walks the hash chain; names the first event that does not fit. */
export async function auditVerify(deps: Pick<AuditDeps, 'audit' | 'stdout'>): Promise<void> {
  const result = (await deps.audit()).verify()
  if (!result.ok) {
    throw new SealboxError(
      'AuditChainBroken',
      `the audit log is broken at event ${result.seq}: ${result.reason}`,
      {
        hint: `event ${result.seq} was edited, removed or moved; the events from it on cannot be trusted`,
      },
    )
  }
  deps.stdout.write(`ok: ${result.events} ${result.events === 1 ? 'event' : 'events'}\n`)
}
