import { utf8 } from '../../bytes/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import type { Engine } from './engine.js'
import { lengthBetween, validation } from './operations/validate.js'

// A grant token is the grant's id sealed under the keystore's root key, with a fresh nonce each
// time: self-contained, as AWS's are, so every CreateGrant answer can carry a new token and no
// token needs storing. Hex, so a token never starts with '-' (command lines would read a flag).
const AAD = utf8('sealbox grant token')
const SEALED = /^[0-9a-f]{120}$/
// AWS's GrantTokenList: at most 10 tokens, each of 1 to 8192 characters.
const MAX_TOKENS = 10
const MAX_TOKEN_LENGTH = 8192

export function issueGrantToken(e: Engine, grantId: string): string {
  return Buffer.from(e.keystore.seal(Buffer.from(grantId, 'hex'), AAD)).toString('hex')
}

export function invalidGrantToken(): SealboxError {
  return new SealboxError('InvalidGrantTokenException', 'The grant token is not valid.')
}

/**
 * The id of the grant a token was issued for, whether or not the grant still exists, or
 * undefined for a string this keystore never issued as a token.
 */
export function grantIdOfToken(e: Engine, token: string): string | undefined {
  // tokens issued before tokens were sealed are random, and stored with their grant
  const stored = e.grants.byToken(token)
  if (stored !== undefined) return stored.grant_id
  if (!SEALED.test(token)) return undefined
  try {
    return Buffer.from(e.keystore.unseal(Buffer.from(token, 'hex'), AAD)).toString('hex')
  } catch (err) {
    if (isSealboxError(err) && err.code === 'KeystoreCorrupt') return undefined
    throw err
  }
}

/**
 * Checks a request's GrantTokens as AWS does. They give nothing: a grant takes effect here as
 * soon as CreateGrant returns, so the caller's grants are what allow a request. The token of a
 * grant since retired or revoked is accepted (and gives nothing): AWS tokens carry their grant,
 * so they outlive it, and refusing one would fail a request the caller's other permissions allow.
 */
export function checkGrantTokens(e: Engine, tokens: readonly string[] | undefined): void {
  if (tokens === undefined) return
  if (!Array.isArray(tokens)) throw validation('grantTokens', 'Member must be a list')
  lengthBetween(tokens, 'grantTokens', 0, MAX_TOKENS)
  tokens.forEach((token, i) => checkTokenShape(token, `grantTokens.${i + 1}.member`))
  if (tokens.some((token) => grantIdOfToken(e, token) === undefined)) throw invalidGrantToken()
}

export function checkTokenShape(token: unknown, member: string): void {
  if (typeof token !== 'string') throw validation(member, 'Member must be a string')
  lengthBetween(token, member, 1, MAX_TOKEN_LENGTH)
}
