import { utf8, zero } from '../../bytes/index.js'
import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import { randomBytes } from '../../crypto/index.js'
import type { EncryptionContext } from '../../encoding/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Caller, KeyMetadata, KmsOperationName } from '../types/index.js'
import { aliasArn, keyArn, parseKeyRef, type Region } from './key-ids.js'
import { GrantRepository, type Grant } from './grant-repository.js'
import { grantAllows } from './grant-rules.js'
import { KeyRepository, type KeyRow } from './key-repository.js'
import { checkKeyState } from './key-state.js'
import type { Keystore } from './keystore.js'
import { evaluatePolicy, roleOfSession, type PolicyRequest } from './policy/index.js'

const DAY_MS = 86_400_000

/** One call in progress: who makes it, when, and what the audit event will name. */
export interface Call {
  op: KmsOperationName
  caller: Caller
  now: Date
  keyArn?: string
  /** A ReEncrypt's destination key: GetKeyLastUsage counts the call for it too. */
  destinationKeyArn?: string
  context?: EncryptionContext
  keyMaterialId?: string
}

/**
 * The embedded KMS's shared machinery: key lookup by any id form, lifecycle applied against the
 * clock, state checks, policy checks and the per-process cache of unsealed key material.
 */
export class Engine {
  readonly repo: KeyRepository
  readonly grants: GrantRepository
  private readonly materials = new Map<string, Uint8Array>()

  constructor(
    readonly keystore: Keystore,
    readonly clock: Clock,
    readonly region: Region,
    /** The audit log the KMS writes: GetKeyLastUsage reads a key's use from it. */
    readonly audit: AuditLog,
  ) {
    this.repo = new KeyRepository(keystore.db, keystore.reads)
    this.grants = new GrantRepository(keystore.db, keystore.reads)
  }

  arn(keyId: string): string {
    return keyArn(this.region, keyId)
  }

  aliasArn(name: string): string {
    return aliasArn(this.region, name)
  }

  /**
   * The key a reference names, after its lifecycle has caught up with the clock, checked for
   * `call.op` and authorized for `action` (`kms:<op>` unless given) by the key policy or a grant.
   */
  key(
    call: Call,
    ref: string,
    opts: {
      allowAlias: boolean
      /** The key is a ReEncrypt's destination, named as such in the audit event. */
      destination?: boolean
      action?: string
      context?: EncryptionContext
      /** Which of the caller's grants give the permission (default: one allowing the action). */
      grant?: (grant: Grant) => boolean
      /** For CreateGrant: the grant asked for, for the policy's `kms:Grant*` condition keys. */
      grantRequest?: PolicyRequest['grant']
    },
  ): KeyRow {
    const form = parseKeyRef(this.region, ref, opts.allowAlias)
    let keyId: string
    if (form.kind === 'alias') {
      const alias = this.repo.alias(form.aliasName)
      if (alias === undefined) {
        throw new SealboxError(
          'NotFoundException',
          `Alias ${this.aliasArn(form.aliasName)} is not found.`,
        )
      }
      keyId = alias.key_id
    } else {
      keyId = form.keyId
    }
    const key = this.live(keyId, call.now)
    const arn = this.arn(keyId)
    if (key === undefined)
      throw new SealboxError('NotFoundException', `Key '${arn}' does not exist`)
    if (opts.destination === true) call.destinationKeyArn = arn
    else call.keyArn ??= arn
    this.authorize(call, key, opts.action ?? `kms:${call.op}`, opts)
    checkKeyState(call.op, key, arn)
    return key
  }

  /**
   * The key policy decides; where it only fails to allow (no explicit Deny), a grant to the
   * caller on the key may allow instead.
   */
  private authorize(
    call: Call,
    key: KeyRow,
    action: string,
    opts: {
      context?: EncryptionContext
      grant?: (grant: Grant) => boolean
      grantRequest?: PolicyRequest['grant']
    },
  ): void {
    const { context, grantRequest } = opts
    const decision = evaluatePolicy(key.policy, {
      principal: call.caller.principal,
      callerAccount: call.caller.accountId,
      action,
      resource: this.arn(key.key_id),
      ...(context === undefined ? {} : { encryptionContext: context }),
      ...(grantRequest === undefined ? {} : { grant: grantRequest }),
    })
    if (decision.allowed) return
    const covers = opts.grant ?? ((g: Grant) => grantAllows(g, action.slice(4), context))
    if (!decision.explicitDeny && this.callerGrants(call, key).some(covers)) return
    throw new SealboxError('AccessDeniedException', decision.reason)
  }

  /** The caller's grants on a key: to it, to the role of its session, or to its account's root. */
  private callerGrants(call: Call, key: KeyRow): Grant[] {
    const names = new Set([call.caller.principal, `arn:aws:iam::${call.caller.accountId}:root`])
    const role = roleOfSession(call.caller.principal)
    if (role !== undefined) names.add(role)
    return [...names].flatMap((name) => this.grants.ofGrantee(key.key_id, name))
  }

  /** Reads a key, first applying what the clock says happened: deletion, rotation, expiry. */
  live(keyId: string, now: Date): KeyRow | undefined {
    const key = this.repo.key(keyId)
    if (key === undefined || !this.due(key, now.getTime())) return key
    return this.keystore.durableTransaction(() => {
      const fresh = this.repo.key(keyId)
      if (fresh === undefined) return undefined
      return this.catchUp(fresh, now.getTime())
    })
  }

  private due(key: KeyRow, nowMs: number): boolean {
    return (
      (key.state === 'PendingDeletion' && key.deletion_ms !== null && key.deletion_ms <= nowMs) ||
      (key.next_rotation_ms !== null &&
        key.next_rotation_ms <= nowMs &&
        key.state !== 'PendingDeletion') ||
      (key.valid_to_ms !== null && key.valid_to_ms <= nowMs)
    )
  }

  /** Must run inside a transaction. */
  private catchUp(key: KeyRow, nowMs: number): KeyRow | undefined {
    if (key.state === 'PendingDeletion' && key.deletion_ms !== null && key.deletion_ms <= nowMs) {
      this.destroy(key.key_id)
      return undefined
    }
    if (key.valid_to_ms !== null && key.valid_to_ms <= nowMs) {
      this.repo.deleteVersions(key.key_id)
      this.forget(key.key_id)
      this.repo.update(key.key_id, { state: 'PendingImport', valid_to_ms: null })
    }
    const period = key.rotation_period_days
    let next = key.next_rotation_ms
    if (period !== null && next !== null && key.state !== 'PendingDeletion') {
      // A key whose rotation came due several times while nobody looked rotates once per period missed.
      while (next <= nowMs) {
        this.addVersion(key.key_id, next, 'AUTOMATIC')
        next += period * DAY_MS
      }
      this.repo.update(key.key_id, { next_rotation_ms: next })
    }
    return this.repo.key(key.key_id)
  }

  /** Deletes expired keys (and their aliases, by cascade). Runs before listings. */
  sweep(now: Date): void {
    const expired = this.repo.expiredDeletions(now.getTime())
    if (expired.length === 0) return
    this.keystore.durableTransaction(() => {
      for (const keyId of this.repo.expiredDeletions(now.getTime())) this.destroy(keyId)
    })
  }

  private destroy(keyId: string): void {
    this.repo.deleteKey(keyId)
    this.forget(keyId)
  }

  /** Adds a backing-key version with fresh (or given) material; returns its number. In a transaction. */
  addVersion(
    keyId: string,
    atMs: number,
    rotationType: 'AUTOMATIC' | 'ON_DEMAND' | null,
    material?: Uint8Array,
    materialId?: string,
  ): number {
    const key = this.repo.key(keyId)!
    const version = key.current_version + 1
    const secret = material ?? randomBytes(32)
    const sealed = this.keystore.seal(secret, materialAad(keyId, version))
    if (material === undefined) zero(secret)
    this.repo.insertVersion({
      key_id: keyId,
      version,
      material: Buffer.from(sealed).toString('base64'),
      material_id: materialId ?? Buffer.from(randomBytes(32)).toString('hex'),
      created_ms: atMs,
      rotation_type: rotationType,
    })
    this.repo.update(keyId, { current_version: version })
    return version
  }

  /** Unsealed material of one backing-key version, cached for the life of the process. */
  material(
    keyId: string,
    version: number,
  ): { material: Uint8Array; materialId: string } | undefined {
    const row = this.repo.version(keyId, version)
    if (row === undefined) return undefined
    const cacheKey = `${keyId}/${version}/${row.material_id}`
    let material = this.materials.get(cacheKey)
    if (material === undefined) {
      material = this.keystore.unseal(
        Buffer.from(row.material, 'base64'),
        materialAad(keyId, version),
      )
      this.materials.set(cacheKey, material)
    }
    return { material, materialId: row.material_id }
  }

  private forget(keyId: string): void {
    for (const [k, v] of this.materials) {
      if (k.startsWith(`${keyId}/`)) {
        zero(v)
        this.materials.delete(k)
      }
    }
  }

  metadata(key: KeyRow): KeyMetadata {
    const current =
      key.current_version > 0 ? this.repo.version(key.key_id, key.current_version) : undefined
    const m: KeyMetadata = {
      awsAccountId: this.region.accountId,
      keyId: key.key_id,
      arn: this.arn(key.key_id),
      creationDate: new Date(key.created_ms),
      enabled: key.state === 'Enabled',
      description: key.description,
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: key.state,
      origin: key.origin,
      keyManager: 'CUSTOMER',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      keySpec: 'SYMMETRIC_DEFAULT',
      encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      multiRegion: false,
    }
    if (key.deletion_ms !== null) m.deletionDate = new Date(key.deletion_ms)
    if (key.pending_days !== null) m.pendingDeletionWindowInDays = key.pending_days
    if (key.origin === 'EXTERNAL')
      m.expirationModel = key.expiration_model ?? 'KEY_MATERIAL_EXPIRES'
    if (key.valid_to_ms !== null) m.validTo = new Date(key.valid_to_ms)
    if (current !== undefined) m.currentKeyMaterialId = current.material_id
    return m
  }

  close(): void {
    for (const v of this.materials.values()) zero(v)
    this.materials.clear()
  }
}

function materialAad(keyId: string, version: number): Uint8Array {
  return utf8(`sealbox key material\0${keyId}\0${version}`)
}
