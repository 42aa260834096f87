import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { fromBase64, toBase64 } from '../../encoding/index.js'
import { SealboxError } from '../../errors/index.js'
import type { ParamType } from './operation-table.js'
import { parseShorthand } from './shorthand.js'

export interface ParamOptions {
  /** `--cli-binary-format raw-in-base64-out`: inline blobs are raw text, not base64. */
  rawBlobs: boolean
  cwd: string
}

function usage(flag: string, message: string, hint?: string): SealboxError {
  return new SealboxError(
    'UsageError',
    `error parsing parameter '${flag}': ${message}`,
    hint === undefined ? {} : { hint },
  )
}

/**
 * `file://PATH` gives the file's text, `fileb://PATH` its bytes, anything else is the value
 * itself: what the AWS CLI does for every parameter.
 */
export function loadParam(value: string, flag: string, cwd: string): string | Uint8Array {
  const m = /^(fileb?):\/\/(.*)$/s.exec(value)
  if (m === null) return value
  const path = resolve(cwd, m[2]!.replace(/^~(?=$|\/)/, homedir()))
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    throw usage(
      flag,
      `unable to load paramfile ${value}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`,
    )
  }
  if (m[1] === 'fileb') return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
  return bytes.toString('utf8')
}

function asText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw usage(flag, `invalid JSON: ${(e as Error).message}`)
  }
}

function stringMap(value: unknown, flag: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usage(flag, 'expected a JSON object of strings')
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw usage(flag, 'every value must be a string')
  }
  return { ...(value as Record<string, string>) }
}

/** One flag's value(s) as the AWS JSON protocol carries the member (base64 blobs, epoch seconds). */
export function wireValue(
  type: ParamType,
  raw: string | boolean | string[],
  flag: string,
  opts: ParamOptions,
): unknown {
  if (type === 'boolean') return raw
  if (type === 'list' || type === 'tags') {
    const items = (Array.isArray(raw) ? raw : [String(raw)]).map((v) =>
      asText(loadParam(v, flag, opts.cwd)),
    )
    return type === 'list' ? stringList(items, flag) : tagList(items, flag)
  }
  const loaded = loadParam(String(raw), flag, opts.cwd)
  switch (type) {
    case 'blob':
      return blobValue(loaded, flag, opts.rawBlobs)
    case 'string':
      return asText(loaded)
    case 'integer': {
      const text = asText(loaded).trim()
      if (!/^-?\d+$/.test(text)) throw usage(flag, `${JSON.stringify(text)} is not an integer`)
      return Number(text)
    }
    case 'timestamp':
      return timestampValue(asText(loaded).trim(), flag)
    case 'struct': {
      const value = parseJson(asText(loaded), flag)
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw usage(flag, 'expected a JSON object')
      }
      return value
    }
    case 'map': {
      const text = asText(loaded).trim()
      return text.startsWith('{')
        ? stringMap(parseJson(text, flag), flag)
        : parseShorthand(text, flag)
    }
  }
}

function blobValue(loaded: string | Uint8Array, flag: string, rawBlobs: boolean): string {
  if (typeof loaded !== 'string') return toBase64(loaded)
  if (rawBlobs) return toBase64(new TextEncoder().encode(loaded))
  try {
    fromBase64(loaded, flag)
  } catch {
    throw usage(
      flag,
      'inline blob values are base64, and this is not valid base64',
      'pass fileb://PATH for the bytes of a file, or --cli-binary-format raw-in-base64-out to give raw text inline',
    )
  }
  return loaded
}

function timestampValue(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) {
    throw usage(
      flag,
      `${JSON.stringify(text)} is not a timestamp (use ISO 8601, e.g. 2030-01-01T00:00:00Z, or epoch seconds)`,
    )
  }
  return ms / 1000
}

function stringList(items: string[], flag: string): string[] {
  if (items.length === 1 && items[0]!.trim().startsWith('[')) {
    const list = parseJson(items[0]!, flag)
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
      throw usage(flag, 'expected a JSON array of strings')
    }
    return list as string[]
  }
  return items.flatMap((v) => v.split(',')).filter((v) => v.length > 0)
}

function tagList(items: string[], flag: string): Array<{ TagKey: string; TagValue: string }> {
  if (items.length === 1 && items[0]!.trim().startsWith('[')) {
    const list = parseJson(items[0]!, flag)
    if (!Array.isArray(list))
      throw usage(flag, 'expected a JSON array of {"TagKey": ..., "TagValue": ...}')
    return list.map((t) => tag(stringMap(t, flag), flag))
  }
  return items.map((v) => tag(parseShorthand(v, flag), flag))
}

function tag(fields: Record<string, string>, flag: string): { TagKey: string; TagValue: string } {
  const { TagKey, TagValue, ...rest } = fields
  const extra = Object.keys(rest)
  if (TagKey === undefined || TagValue === undefined || extra.length > 0) {
    throw usage(
      flag,
      `a tag is TagKey=KEY,TagValue=VALUE${extra.length > 0 ? `; unknown field '${extra[0]}'` : ''}`,
    )
  }
  return { TagKey, TagValue }
}
