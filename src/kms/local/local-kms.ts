import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import { randomUUID } from '../../crypto/index.js'
import { isSealboxError, SealboxError } from '../../errors/index.js'
import {
  KMS_OPERATION_NAMES,
  methodName,
  type Caller,
  type KmsInput,
  type KmsOperationName,
  type KmsPort,
  type KmsProvider,
} from '../types/index.js'
import { Engine, type Call } from './engine.js'
import type { Region } from './key-ids.js'
import type { Keystore } from './keystore.js'
import { cryptoOperations } from './operations/crypto-operations.js'
import type { Handler, Handlers } from './operations/handler.js'
import { grantOperations } from './operations/grant-operations.js'
import { importOperations } from './operations/import-operations.js'
import { keyOperations } from './operations/key-operations.js'
import { rotationOperations } from './operations/rotation-operations.js'
import { aliasAndTagOperations } from './operations/tag-operations.js'
import { usageOperations } from './operations/usage-operations.js'

const HANDLERS: Handlers = {
  ...keyOperations,
  ...aliasAndTagOperations,
  ...cryptoOperations,
  ...rotationOperations,
  ...importOperations,
  ...grantOperations,
  ...usageOperations,
}

export interface LocalKmsOptions extends Region {
  keystore: Keystore
  audit: AuditLog
  clock: Clock
}

/**
 * The embedded KMS: AWS KMS's operations, names, key states, limits and errors over a SQLite
 * keystore. Every call, allowed or refused, is appended to the audit log.
 */
export class LocalKms implements KmsProvider {
  private readonly engine: Engine
  private readonly audit: AuditLog
  // one method per operation, shared by every caller's port (built once, not per request)
  private readonly portPrototype: object

  constructor(options: LocalKmsOptions) {
    this.engine = new Engine(
      options.keystore,
      options.clock,
      { region: options.region, accountId: options.accountId },
      options.audit,
    )
    this.audit = options.audit
    const prototype: Record<string, unknown> = {}
    const run = this.runAudited.bind(this)
    for (const op of KMS_OPERATION_NAMES) {
      prototype[methodName(op)] = function (this: { caller: Caller }, input: KmsInput<typeof op>) {
        return run(op, this.caller, input)
      }
    }
    this.portPrototype = prototype
  }

  get region(): Region {
    return this.engine.region
  }

  /** The port acting for `caller`: each call settles only once its audit event is committed. */
  forCaller(caller: Caller): KmsPort {
    return Object.create(this.portPrototype, {
      caller: { value: caller },
    }) as KmsPort
  }

  /** Async: the audit event is committed (or its commit has failed) before the call settles. */
  async runAudited<Op extends KmsOperationName>(
    op: Op,
    caller: Caller,
    input: KmsInput<Op>,
  ): Promise<ReturnType<Handler<Op>>> {
    try {
      return this.run(op, caller, input)
    } finally {
      await this.audit.committed()
    }
  }

  /** Runs one operation synchronously and audits it; exposed for callers that need no promise. */
  run<Op extends KmsOperationName>(
    op: Op,
    caller: Caller,
    input: KmsInput<Op>,
  ): ReturnType<Handler<Op>> {
    const call: Call = { op, caller, now: this.engine.clock.now() }
    const requestId = caller.requestId ?? randomUUID()
    let outcome = 'ok'
    try {
      if (input === null || typeof input !== 'object') {
        throw new SealboxError('ValidationException', `${op} takes an object of parameters`)
      }
      return (HANDLERS[op] as Handler<Op>)(this.engine, call, input)
    } catch (error) {
      outcome = isSealboxError(error) ? error.code : 'KMSInternalException'
      throw error
    } finally {
      this.audit.append({
        time: call.now,
        principal: caller.principal,
        operation: op,
        outcome,
        requestId,
        ...(call.keyArn === undefined ? {} : { keyArn: call.keyArn }),
        ...(call.destinationKeyArn === undefined
          ? {}
          : { destinationKeyArn: call.destinationKeyArn }),
        ...(call.context === undefined || Object.keys(call.context).length === 0
          ? {}
          : { encryptionContext: call.context }),
        ...(call.keyMaterialId === undefined ? {} : { keyMaterialId: call.keyMaterialId }),
        ...(caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp }),
      })
    }
  }

  close(): void {
    this.engine.close()
  }
}
