import { readFileSync } from 'node:fs'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import type { KmsPort, Tag } from '../../kms/types/index.js'

/** One key of a seed file: found by its first alias, created when that alias is missing. */
export interface SeedKey {
  aliases: string[]
  description?: string
  /** A key policy document (object or JSON text); the default policy without it. */
  policy?: string
  tags?: Tag[]
  rotationPeriodInDays?: number
  enabled: boolean
}

export interface SeedResult {
  Alias: string
  KeyId: string
  Arn: string
  Status: 'created' | 'existing'
}

function invalid(where: string, message: string): SealboxError {
  return new SealboxError('UsageError', `seed file: ${where}: ${message}`, {
    hint: 'expected {"keys": [{"aliases": ["alias/NAME"], "description": "…", "policy": {…}, "tags": {"k": "v"}, "rotationPeriodInDays": 365, "enabled": true}]}',
  })
}

const KEYS = new Set([
  'aliases',
  'description',
  'policy',
  'tags',
  'rotationPeriodInDays',
  'enabled',
])

/** Reads and checks a seed file (a file that cannot be read fails as any input file does). */
export function readSeedFile(path: string): SeedKey[] {
  return parseSeed(readFileSync(path, 'utf8'))
}

/** The keys a seed file (JSON) asks for, checked member by member before anything is created. */
export function parseSeed(text: string): SeedKey[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw invalid('not JSON', (e as Error).message)
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys))
    throw invalid('top level', 'an object with a "keys" array')
  const seen = new Set<string>()
  return (doc as { keys: unknown[] }).keys.map((raw, i) => {
    const at = `keys[${i}]`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw invalid(at, 'an object')
    const k = raw as Record<string, unknown>
    for (const name of Object.keys(k))
      if (!KEYS.has(name)) throw invalid(`${at}.${name}`, 'not a member of a seed key')
    const aliases = k['aliases']
    if (!Array.isArray(aliases) || aliases.length === 0)
      throw invalid(`${at}.aliases`, 'a non-empty list of alias names')
    for (const a of aliases) {
      if (
        typeof a !== 'string' ||
        !/^alias\/[a-zA-Z0-9/_-]+$/.test(a) ||
        a.startsWith('alias/aws/')
      )
        throw invalid(`${at}.aliases`, `${JSON.stringify(a)} is not an alias name (alias/NAME)`)
      if (seen.has(a)) throw invalid(`${at}.aliases`, `${a} is named twice in the file`)
      seen.add(a)
    }
    const out: SeedKey = { aliases: aliases as string[], enabled: true }
    if (k['description'] !== undefined) {
      if (typeof k['description'] !== 'string') throw invalid(`${at}.description`, 'a string')
      out.description = k['description']
    }
    if (k['policy'] !== undefined) {
      const p = k['policy']
      if (typeof p === 'string') out.policy = p
      else if (typeof p === 'object' && p !== null && !Array.isArray(p))
        out.policy = JSON.stringify(p)
      else throw invalid(`${at}.policy`, 'a policy document (an object, or JSON text)')
    }
    if (k['tags'] !== undefined) {
      const t = k['tags']
      if (typeof t !== 'object' || t === null || Array.isArray(t))
        throw invalid(`${at}.tags`, 'an object of string values')
      out.tags = Object.entries(t).map(([tagKey, tagValue]) => {
        if (typeof tagValue !== 'string') throw invalid(`${at}.tags.${tagKey}`, 'a string')
        return { tagKey, tagValue }
      })
    }
    if (k['rotationPeriodInDays'] !== undefined) {
      const d = k['rotationPeriodInDays']
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 90 || d > 2560)
        throw invalid(`${at}.rotationPeriodInDays`, 'a whole number of days from 90 to 2560')
      out.rotationPeriodInDays = d
    }
    if (k['enabled'] !== undefined) {
      if (typeof k['enabled'] !== 'boolean') throw invalid(`${at}.enabled`, 'true or false')
      out.enabled = k['enabled']
    }
    return out
  })
}

async function existing(
  kms: KmsPort,
  alias: string,
): Promise<{ keyId: string; arn: string } | undefined> {
  try {
    const { keyMetadata } = await kms.describeKey({ keyId: alias })
    return { keyId: keyMetadata.keyId, arn: keyMetadata.arn }
  } catch (e) {
    if (isSealboxError(e, 'NotFoundException')) return undefined
    throw e
  }
}

/**
 * Makes every seed key exist: a key one of whose aliases already names a key is kept as it is
 * (its missing aliases are added); any other is created with its policy, description, tags,
 * rotation and state. Running the same file twice changes nothing the second time.
 */
export async function applySeed(kms: KmsPort, keys: readonly SeedKey[]): Promise<SeedResult[]> {
  const results: SeedResult[] = []
  for (const k of keys) {
    const found = await Promise.all(k.aliases.map((a) => existing(kms, a)))
    const named = new Map(found.flatMap((f) => (f === undefined ? [] : [[f.keyId, f] as const])))
    if (named.size > 1) {
      throw new SealboxError(
        'AlreadyExistsException',
        `seed file: the aliases ${k.aliases.join(', ')} already name different keys (${[...named.values()].map((f) => f.arn).join(', ')})`,
      )
    }
    let key = [...named.values()][0]
    const status = key === undefined ? 'created' : 'existing'
    if (key === undefined) {
      const { keyMetadata } = await kms.createKey({
        ...(k.description === undefined ? {} : { description: k.description }),
        ...(k.policy === undefined ? {} : { policy: k.policy }),
        ...(k.tags === undefined ? {} : { tags: k.tags }),
      })
      key = { keyId: keyMetadata.keyId, arn: keyMetadata.arn }
      if (k.rotationPeriodInDays !== undefined)
        await kms.enableKeyRotation({
          keyId: key.keyId,
          rotationPeriodInDays: k.rotationPeriodInDays,
        })
      if (!k.enabled) await kms.disableKey({ keyId: key.keyId })
    }
    for (const [i, alias] of k.aliases.entries()) {
      if (found[i] === undefined)
        await kms.createAlias({ aliasName: alias, targetKeyId: key.keyId })
    }
    results.push({ Alias: k.aliases[0]!, KeyId: key.keyId, Arn: key.arn, Status: status })
  }
  return results
}
