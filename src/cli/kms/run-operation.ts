import type { Writable } from 'node:stream'
import { zero } from '../../bytes/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import {
  callKms,
  type KmsInput,
  type KmsOperationName,
  type KmsPort,
} from '../../kms/types/index.js'
import { fromWire } from '../../kms/wire/index.js'
import { cliShape, formatJson, formatText } from './format-output.js'
import { OPERATIONS, kebab, type ParamType } from './operation-table.js'
import { loadParam, wireValue } from './param-value.js'
import { applyQuery } from './query.js'

/** What commander parsed for one `sealbox kms <op>` (flag names in camelCase). */
export type ParsedFlags = Record<string, unknown>

export interface KmsCommandDeps {
  kms: () => Promise<KmsPort>
  /** The key used when a crypto operation is given no `--key-id` (KMS_KEY_ID or the default key). */
  defaultKeyId: () => Promise<string>
  stdout: Writable
  cwd: string
}

// AWS exception names, which the AWS CLI prints before the message; sealbox's own codes (IoError,
// ConfigInvalid, ...) are not printed.
const AWS_ERROR = /Exception$|^(IncompleteSignature|MissingAuthenticationToken|RequestExpired)$/

function wireName(member: string): string {
  return member[0]!.toUpperCase() + member.slice(1)
}

function specOf(spec: string): { type: ParamType; required: boolean } {
  return { type: spec.replace('!', '') as ParamType, required: spec.endsWith('!') }
}

/**
 * The request as AWS JSON: `--cli-input-json` first, then each flag (`--foo-bar` → `FooBar`),
 * each read as the AWS CLI reads it.
 */
export async function buildWireInput(
  op: KmsOperationName,
  flags: ParsedFlags,
  deps: Pick<KmsCommandDeps, 'cwd' | 'defaultKeyId'>,
): Promise<Record<string, unknown>> {
  const params = OPERATIONS[op].params as Record<string, string>
  const wire: Record<string, unknown> = {}
  if (typeof flags['cliInputJson'] === 'string') {
    const loaded = loadParam(flags['cliInputJson'], '--cli-input-json', deps.cwd)
    const text = typeof loaded === 'string' ? loaded : Buffer.from(loaded).toString('utf8')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      throw new SealboxError(
        'UsageError',
        `error parsing parameter '--cli-input-json': invalid JSON: ${(e as Error).message}`,
      )
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SealboxError(
        'UsageError',
        "error parsing parameter '--cli-input-json': expected a JSON object",
      )
    }
    const known = new Set(Object.keys(params).map(wireName))
    for (const [name, value] of Object.entries(parsed)) {
      if (!known.has(name)) {
        throw new SealboxError(
          'UsageError',
          `--cli-input-json: ${kebab(op)} has no parameter '${name}'`,
        )
      }
      wire[name] = value
    }
  }
  const binaryFormat = flags['cliBinaryFormat'] ?? 'base64'
  if (binaryFormat !== 'base64' && binaryFormat !== 'raw-in-base64-out') {
    throw new SealboxError(
      'UsageError',
      `unsupported --cli-binary-format ${String(binaryFormat)}: expected base64 or raw-in-base64-out`,
    )
  }
  const rawBlobs = binaryFormat === 'raw-in-base64-out'
  for (const [member, spec] of Object.entries(params)) {
    const value = flags[member]
    if (value === undefined) continue
    const { type } = specOf(spec)
    wire[wireName(member)] = wireValue(
      type,
      value as string | boolean | string[],
      `--${kebab(member)}`,
      {
        rawBlobs,
        cwd: deps.cwd,
      },
    )
  }
  if (OPERATIONS[op].defaultKey === true && wire['KeyId'] === undefined) {
    wire['KeyId'] = await deps.defaultKeyId()
  }
  const missing = Object.entries(params)
    .filter(([member, spec]) => specOf(spec).required && wire[wireName(member)] === undefined)
    .map(([member]) => `--${kebab(member)}`)
  if (missing.length > 0) {
    throw new SealboxError(
      'UsageError',
      `the following arguments are required: ${missing.join(', ')}`,
    )
  }
  return wire
}

interface PageRequest {
  maxItems: number | undefined
  startingToken: string | undefined
  pageSize: number | undefined
}

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined
  const text = String(value)
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new SealboxError(
      'UsageError',
      `error parsing parameter '${flag}': ${JSON.stringify(text)} is not a positive integer`,
    )
  }
  return Number(text)
}

// A --starting-token is the marker of the page to read and how many of its items were printed.
function encodeToken(marker: string | undefined, skip: number): string {
  return Buffer.from(
    JSON.stringify({ Marker: marker ?? null, boto_truncate_amount: skip }),
  ).toString('base64')
}

function decodeToken(token: string): { marker: string | undefined; skip: number } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      Marker?: unknown
      boto_truncate_amount?: unknown
    }
    const skip = t.boto_truncate_amount ?? 0
    if ((t.Marker !== null && typeof t.Marker !== 'string') || typeof skip !== 'number')
      throw new Error('bad token')
    return { marker: t.Marker ?? undefined, skip }
  } catch {
    throw new SealboxError(
      'UsageError',
      `bad value for --starting-token: ${token} is not a token printed as NextToken`,
    )
  }
}

/** The AWS CLI's automatic pagination: every page merged, or `--max-items` with a NextToken. */
async function paginate(
  kms: KmsPort,
  op: KmsOperationName,
  input: Record<string, unknown>,
  resultKey: string,
  page: PageRequest,
): Promise<Record<string, unknown>> {
  const items: unknown[] = []
  let { marker, skip } =
    page.startingToken === undefined
      ? { marker: undefined, skip: 0 }
      : decodeToken(page.startingToken)
  for (;;) {
    const request: Record<string, unknown> = { ...input }
    if (page.pageSize !== undefined) request['limit'] = page.pageSize
    if (marker !== undefined) request['marker'] = marker
    const out = (await callKms(kms, op, request as KmsInput<typeof op>)) as unknown as Record<
      string,
      unknown
    >
    const pageItems = ((out[resultKey] as unknown[] | undefined) ?? []).slice(skip)
    const room = page.maxItems === undefined ? Infinity : page.maxItems - items.length
    if (pageItems.length > room) {
      items.push(...pageItems.slice(0, room))
      return { [resultKey]: items, nextToken: encodeToken(marker, skip + room) }
    }
    items.push(...pageItems)
    skip = 0
    if (out['truncated'] !== true || typeof out['nextMarker'] !== 'string')
      return { [resultKey]: items }
    marker = out['nextMarker']
    if (items.length === page.maxItems)
      return { [resultKey]: items, nextToken: encodeToken(marker, 0) }
  }
}

function blobsIn(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value)
  else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const v of Object.values(value)) blobsIn(v, out)
  }
  return out
}

/** Runs one `sealbox kms <op>`: flags → port input → the KMS → output as the AWS CLI prints it. */
export async function runKmsOperation(
  op: KmsOperationName,
  flags: ParsedFlags,
  deps: KmsCommandDeps,
): Promise<void> {
  const format = (flags['output'] as string | undefined) ?? 'json'
  if (format !== 'json' && format !== 'text') {
    throw new SealboxError('UsageError', `unsupported --output ${format}: expected json or text`)
  }
  const query = flags['query'] as string | undefined
  if (query !== undefined) applyQuery(query, {}) // a bad expression fails before the KMS is called
  const wire = await buildWireInput(op, flags, deps)
  const input = fromWire(wire) as Record<string, unknown>
  const kms = await deps.kms()
  const resultKey = OPERATIONS[op].pages
  const single =
    flags['paginate'] === false || wire['Limit'] !== undefined || wire['Marker'] !== undefined
  let output: unknown
  try {
    output =
      resultKey === undefined || single
        ? await callKms(kms, op, input as KmsInput<typeof op>)
        : await paginate(kms, op, input, resultKey, {
            maxItems: positiveInt(flags['maxItems'], '--max-items'),
            startingToken: flags['startingToken'] as string | undefined,
            pageSize: positiveInt(flags['pageSize'], '--page-size'),
          })
  } catch (e) {
    if (isSealboxError(e) && AWS_ERROR.test(e.code) && !e.message.startsWith(`${e.code}:`)) {
      const message = e.message === '' ? e.code : `${e.code}: ${e.message}`
      throw new SealboxError(e.code, message, {
        cause: e,
        ...(e.hint === undefined ? {} : { hint: e.hint }),
      })
    }
    throw e
  } finally {
    for (const blob of blobsIn(input)) zero(blob)
  }
  try {
    let shaped = cliShape(output)
    const empty = typeof shaped === 'object' && shaped !== null && Object.keys(shaped).length === 0
    if (query === undefined && empty) return
    if (query !== undefined) shaped = applyQuery(query, shaped)
    deps.stdout.write(format === 'json' ? formatJson(shaped) : formatText(shaped))
  } finally {
    for (const blob of blobsIn(output)) zero(blob)
  }
}
