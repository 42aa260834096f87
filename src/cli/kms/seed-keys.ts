import { readFileSync } from 'node:fs'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import {
  checkAliasName,
  checkDescription,
  checkTags,
  validatePolicy,
} from '../../kms/local/index.js'
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

/** Runs one of the embedded KMS's own checks, so the file is held to the rules its calls meet. */
function checked(where: string, check: () => void): void {
  try {
    check()
  } catch (e) {
    if (!isSealboxError(e)) throw e
    throw invalid(where, e.message)
  }
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
      if (typeof a !== 'string')
        throw invalid(`${at}.aliases`, `${JSON.stringify(a)} is not an alias name (alias/NAME)`)
      checked(`${at}.aliases`, () => checkAliasName(a))
      if (seen.has(a)) throw invalid(`${at}.aliases`, `${a} is named twice in the file`)
      seen.add(a)
    }
    const out: SeedKey = { aliases: aliases as string[], enabled: true }
    if (k['description'] !== undefined) {
      const description = k['description']
      if (typeof description !== 'string') throw invalid(`${at}.description`, 'a string')
      checked(`${at}.description`, () => checkDescription(description))
      out.description = description
    }
    if (k['policy'] !== undefined) {
      const p = k['policy']
      if (typeof p === 'string') out.policy = p
      else if (typeof p === 'object' && p !== null && !Array.isArray(p))
        out.policy = JSON.stringify(p)
      else throw invalid(`${at}.policy`, 'a policy document (an object, or JSON text)')
      const policy = out.policy
      checked(`${at}.policy`, () => validatePolicy(policy))
    }
    if (k['tags'] !== undefined) {
      const t = k['tags']
      if (typeof t !== 'object' || t === null || Array.isArray(t))
        throw invalid(`${at}.tags`, 'an object of string values')
      const tags = Object.entries(t).map(([tagKey, tagValue]) => {
        if (typeof tagValue !== 'string') throw invalid(`${at}.tags.${tagKey}`, 'a string')
        return { tagKey, tagValue }
      })
      checked(`${at}.tags`, () => checkTags(tags, 0))
      out.tags = tags
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

/**
 * Every alias of the account and the key it names, read from ListAliases: it needs no
 * permission on the keys themselves, so a key whose policy leaves the seeding user out is
 * still found.
 */
async function aliasTargets(kms: KmsPort): Promise<Map<string, Found>> {
  const targets = new Map<string, Found>()
  let marker: string | undefined
  do {
    const page = await kms.listAliases(marker === undefined ? {} : { marker })
    for (const a of page.aliases) {
      if (a.targetKeyId === undefined) continue
      const arn = a.aliasArn.replace(/:alias\/.*$/, `:key/${a.targetKeyId}`)
      targets.set(a.aliasName, { keyId: a.targetKeyId, arn })
    }
    marker = page.truncated ? page.nextMarker : undefined
  } while (marker !== undefined)
  return targets
}

/**
 * Makes every seed key exist: a key one of whose aliases already names a key is kept as it is
 * (its missing aliases are added); any other is created with its description, tags, rotation,
 * state and, last, its policy. The first alias is given right after the key is made, so a
 * failure later leaves a key a re-run finds; a key that loses the race for its alias to another
 * process is scheduled for deletion. Running the same file twice changes nothing.
 */
export async function applySeed(kms: KmsPort, keys: readonly SeedKey[]): Promise<SeedResult[]> {
  const results: SeedResult[] = []
  const targets = await aliasTargets(kms)
  for (const k of keys) {
    const found = k.aliases.map((a) => targets.get(a))
    let key = single(k, found)
    let status: SeedResult['Status'] = 'existing'
    if (key === undefined) {
      const created = await createWithAlias(kms, k)
      if (created.raced === undefined) {
        key = created.key
        status = 'created'
        if (k.rotationPeriodInDays !== undefined)
          await kms.enableKeyRotation({
            keyId: key.keyId,
            rotationPeriodInDays: k.rotationPeriodInDays,
          })
        if (!k.enabled) await kms.disableKey({ keyId: key.keyId })
        // applied as written, even a policy that leaves the seeding user out
        if (k.policy !== undefined)
          await kms.putKeyPolicy({
            keyId: key.keyId,
            policy: k.policy,
            bypassPolicyLockoutSafetyCheck: true,
          })
      } else {
        key = created.raced
      }
      found[0] = key
    }
    for (const [i, alias] of k.aliases.entries()) {
      if (found[i] === undefined)
        await kms.createAlias({ aliasName: alias, targetKeyId: key.keyId })
    }
    results.push({ Alias: k.aliases[0]!, KeyId: key.keyId, Arn: key.arn, Status: status })
  }
  return results
}

type Found = { keyId: string; arn: string }

function single(k: SeedKey, found: ReadonlyArray<Found | undefined>): Found | undefined {
  const named = new Map(found.flatMap((f) => (f === undefined ? [] : [[f.keyId, f] as const])))
  if (named.size > 1) {
    throw new SealboxError(
      'AlreadyExistsException',
      `seed file: the aliases ${k.aliases.join(', ')} already name different keys (${[...named.values()].map((f) => f.arn).join(', ')})`,
    )
  }
  return [...named.values()][0]
}

/** A new key under the seed's first alias, or the key another process gave that alias first. */
async function createWithAlias(
  kms: KmsPort,
  k: SeedKey,
): Promise<{ key: Found; raced?: undefined } | { key?: undefined; raced: Found }> {
  const { keyMetadata } = await kms.createKey({
    ...(k.description === undefined ? {} : { description: k.description }),
    ...(k.tags === undefined ? {} : { tags: k.tags }),
  })
  const key = { keyId: keyMetadata.keyId, arn: keyMetadata.arn }
  try {
    await kms.createAlias({ aliasName: k.aliases[0]!, targetKeyId: key.keyId })
    return { key }
  } catch (e) {
    if (!isSealboxError(e, 'AlreadyExistsException')) throw e
    await kms.scheduleKeyDeletion({ keyId: key.keyId, pendingWindowInDays: 7 })
    const winner = (await aliasTargets(kms)).get(k.aliases[0]!)
    if (winner === undefined) throw e
    return { raced: winner }
  }
}
