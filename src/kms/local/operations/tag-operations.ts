import { SealboxError } from '../../../errors/index.js'
import type { Tag } from '../../types/index.js'
import { checkAliasName } from '../key-ids.js'
import type { Handlers } from './handler.js'
import { paginate, required } from './validate.js'

const MAX_TAGS = 50

/** AWS's tag rules: key 1-128, value 0-256, no `aws:` prefix, no duplicates, at most 50 per key. */
export function checkTags(tags: Tag[], existing: number): void {
  const seen = new Set<string>()
  for (const t of tags) {
    if (typeof t.tagKey !== 'string' || t.tagKey.length < 1 || t.tagKey.length > 128) {
      throw new SealboxError('TagException', 'Tag keys must be 1 to 128 characters long')
    }
    if (typeof t.tagValue !== 'string' || t.tagValue.length > 256) {
      throw new SealboxError('TagException', 'Tag values must be 0 to 256 characters long')
    }
    if (t.tagKey.toLowerCase().startsWith('aws:'))
      throw new SealboxError('TagException', 'Tags beginning with aws: are reserved')
    if (seen.has(t.tagKey)) throw new SealboxError('TagException', 'Duplicate tag keys')
    seen.add(t.tagKey)
  }
  if (existing + tags.length > MAX_TAGS) throw new SealboxError('TagException', 'Too many tags')
}

type AliasAndTagOps =
  | 'CreateAlias'
  | 'UpdateAlias'
  | 'DeleteAlias'
  | 'ListAliases'
  | 'TagResource'
  | 'UntagResource'
  | 'ListResourceTags'

export const aliasAndTagOperations: Handlers<AliasAndTagOps> = {
  CreateAlias(e, call, input) {
    const name = required(input.aliasName, 'aliasName')
    checkAliasName(name)
    const key = e.key(call, required(input.targetKeyId, 'targetKeyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      if (e.repo.alias(name) !== undefined) {
        throw new SealboxError(
          'AlreadyExistsException',
          `An alias with the name ${e.aliasArn(name)} already exists`,
        )
      }
      e.repo.insertAlias(name, key.key_id, call.now.getTime())
    })
    return {}
  },

  UpdateAlias(e, call, input) {
    const name = required(input.aliasName, 'aliasName')
    checkAliasName(name)
    const key = e.key(call, required(input.targetKeyId, 'targetKeyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      if (e.repo.alias(name) === undefined) {
        throw new SealboxError('NotFoundException', `Alias ${e.aliasArn(name)} is not found.`)
      }
      e.repo.retargetAlias(name, key.key_id, call.now.getTime())
    })
    return {}
  },

  DeleteAlias(e, call, input) {
    const name = required(input.aliasName, 'aliasName')
    checkAliasName(name)
    const alias = e.repo.alias(name)
    if (alias === undefined)
      throw new SealboxError('NotFoundException', `Alias ${e.aliasArn(name)} is not found.`)
    e.key(call, alias.key_id, { allowAlias: false })
    e.keystore.durableTransaction(() => e.repo.deleteAlias(name))
    return {}
  },

  ListAliases(e, call, input) {
    e.sweep(call.now)
    let keyId: string | undefined
    if (input.keyId !== undefined) keyId = e.key(call, input.keyId, { allowAlias: false }).key_id
    const page = paginate(
      input,
      (after, limit) => e.repo.aliases(after, limit, keyId),
      (a) => a.alias_name,
    )
    const aliases = page.items.map((a) => ({
      aliasName: a.alias_name,
      aliasArn: e.aliasArn(a.alias_name),
      targetKeyId: a.key_id,
      creationDate: new Date(a.created_ms),
      lastUpdatedDate: new Date(a.updated_ms),
    }))
    return page.nextMarker === undefined
      ? { aliases, truncated: page.truncated }
      : { aliases, truncated: page.truncated, nextMarker: page.nextMarker }
  },

  TagResource(e, call, input) {
    const tags = required(input.tags, 'tags')
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      const fresh = tags.filter((t) =>
        e.repo.tags(key.key_id, '', 1000).every((x) => x.tag_key !== t.tagKey),
      )
      checkTags(tags, e.repo.tagCount(key.key_id) - (tags.length - fresh.length))
      for (const t of tags) e.repo.putTag(key.key_id, t.tagKey, t.tagValue)
    })
    return {}
  },

  UntagResource(e, call, input) {
    const keys = required(input.tagKeys, 'tagKeys')
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      for (const k of keys) e.repo.deleteTag(key.key_id, k)
    })
    return {}
  },

  ListResourceTags(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const page = paginate(
      input,
      (after, limit) => e.repo.tags(key.key_id, after, limit),
      (t) => t.tag_key,
      50,
    )
    const tags = page.items.map((t) => ({ tagKey: t.tag_key, tagValue: t.tag_value }))
    return page.nextMarker === undefined
      ? { tags, truncated: page.truncated }
      : { tags, truncated: page.truncated, nextMarker: page.nextMarker }
  },
}
