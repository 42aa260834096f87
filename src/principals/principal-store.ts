import Database from 'better-sqlite3'
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import { fromUtf8, utf8, zero } from '../bytes/index.js'
import { systemClock, type Clock } from '../clock/index.js'
import { randomBytes } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'

/** Seals secrets at rest (the embedded keystore's root key); bound to `aad`. */
export interface SecretSealer {
  seal(plaintext: Uint8Array, aad: Uint8Array): Uint8Array
  unseal(sealed: Uint8Array, aad: Uint8Array): Uint8Array
}

/** A principal without its secret: what `principals ls` shows. */
export interface PrincipalInfo {
  name: string
  accessKeyId: string
  arn: string
  accountId: string
  createdAt: Date
}

/** A principal with its secret: returned once, by `create`, and to the server's signature check. */
export interface Principal extends PrincipalInfo {
  secretAccessKey: string
}

interface Row {
  name: string
  access_key_id: string
  secret: Buffer
  sealed: number
  arn: string
  account_id: string
  created_at: number
}

// IAM's user-name rule.
const NAME = /^[\w+=,.@-]{1,64}$/
const ACCOUNT = /^\d{12}$/
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const BUSY_TIMEOUT_MS = 5000

function accessKeyId(): string {
  const bytes = randomBytes(16)
  let id = 'AKIA'
  for (const b of bytes) id += BASE32[b & 31]
  return id
}

function secretAccessKey(): string {
  // 30 random bytes: 40 base64 characters, the length and alphabet of an AWS secret key
  const bytes = randomBytes(30)
  const text = Buffer.from(bytes).toString('base64')
  zero(bytes)
  return text
}

// IAM's access key id pattern ([\w]+) without its 16-character minimum, which AWS SDKs never
// check and which local set-ups often ignore (AWS_ACCESS_KEY_ID=test).
const ACCESS_KEY_ID = /^\w{1,128}$/
// Printable ASCII without spaces: what an AWS secret access key looks like, and what survives
// being pasted into an environment variable.
const SECRET = /^[\x21-\x7e]{1,128}$/

function checkCredentials(c: { accessKeyId: string; secretAccessKey: string }): void {
  if (!ACCESS_KEY_ID.test(c.accessKeyId)) {
    throw new SealboxError(
      'ValidationException',
      `access key id '${c.accessKeyId.slice(0, 40)}' is not valid: use 1 to 128 letters, digits and _`,
    )
  }
  if (!SECRET.test(c.secretAccessKey)) {
    throw new SealboxError(
      'ValidationException',
      'the secret access key is not valid: use 1 to 128 printable ASCII characters, no spaces',
    )
  }
}

function aadFor(accessKey: string): Uint8Array {
  return utf8(`sealbox principal secret v1\0${accessKey}`)
}

/**
 * Principals of `sealbox serve`: name, access key id, secret access key, ARN and account, in
 * their own table of the keystore's SQLite file. The secret is sealed with the keystore's root
 * key when a sealer is given; otherwise it is protected only by the file's 0600 mode.
 */
export class PrincipalStore {
  private readonly db: Database.Database
  private readonly ownsDb: boolean
  private readonly findStatement: Database.Statement<[string], Row>
  // Unsealed secrets, reused while the stored blob is unchanged.
  private readonly unsealed = new Map<string, { blob: Buffer; secret: string }>()

  private constructor(
    db: Database.Database,
    ownsDb: boolean,
    private readonly sealer: SecretSealer | undefined,
    private readonly clock: Clock,
  ) {
    this.db = db
    this.ownsDb = ownsDb
    db.exec(`CREATE TABLE IF NOT EXISTS principals (
      name TEXT PRIMARY KEY,
      access_key_id TEXT NOT NULL UNIQUE,
      secret BLOB NOT NULL,
      sealed INTEGER NOT NULL,
      arn TEXT NOT NULL,
      account_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT`)
    this.findStatement = db.prepare<[string], Row>(
      'SELECT * FROM principals WHERE access_key_id = ?',
    )
  }

  /**
   * Opens the principals table in a SQLite file (created with mode 0600 if absent), or in a
   * database the caller already holds (the keystore's own connection).
   */
  static open(
    where: { path: string } | { database: Database.Database },
    options: { sealer?: SecretSealer; clock?: Clock } = {},
  ): PrincipalStore {
    let db: Database.Database
    let owns = false
    if ('path' in where) {
      if (!existsSync(where.path)) closeSync(openSync(where.path, 'a', 0o600))
      chmodSync(where.path, 0o600)
      db = new Database(where.path)
      db.pragma('journal_mode = WAL')
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
      owns = true
    } else {
      db = where.database
    }
    return new PrincipalStore(db, owns, options.sealer, options.clock ?? systemClock)
  }

  /** Whether secrets written from now on are sealed (true) or stored in the clear (false). */
  get sealsSecrets(): boolean {
    return this.sealer !== undefined
  }

  /**
   * Creates a principal with fresh credentials, or with `credentials` the caller chose (fixed
   * keys for CI jobs and containers, as other local AWS tools let you set them).
   */
  create(
    name: string,
    accountId: string,
    credentials?: { accessKeyId: string; secretAccessKey: string },
  ): Principal {
    if (!NAME.test(name)) {
      throw new SealboxError(
        'ValidationException',
        `principal name '${name.slice(0, 80)}' is not valid: use 1 to 64 letters, digits and + = , . @ _ -`,
      )
    }
    if (!ACCOUNT.test(accountId)) {
      throw new SealboxError(
        'ValidationException',
        `account id '${accountId.slice(0, 40)}' is not 12 digits`,
      )
    }
    if (credentials !== undefined) checkCredentials(credentials)
    const principal: Principal = {
      name,
      accessKeyId: credentials?.accessKeyId ?? accessKeyId(),
      secretAccessKey: credentials?.secretAccessKey ?? secretAccessKey(),
      arn: `arn:aws:iam::${accountId}:user/${name}`,
      accountId,
      createdAt: this.clock.now(),
    }
    const secretBytes = utf8(principal.secretAccessKey)
    const stored = this.sealer?.seal(secretBytes, aadFor(principal.accessKeyId)) ?? secretBytes
    try {
      this.db
        .prepare(
          'INSERT INTO principals (name, access_key_id, secret, sealed, arn, account_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          name,
          principal.accessKeyId,
          Buffer.from(stored),
          this.sealer === undefined ? 0 : 1,
          principal.arn,
          accountId,
          principal.createdAt.getTime(),
        )
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new SealboxError('AlreadyExists', `a principal named '${name}' already exists`, {
          hint: `remove it first with 'sealbox principals rm ${name}', or pick another name`,
        })
      }
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new SealboxError(
          'AlreadyExists',
          `access key id '${principal.accessKeyId}' already belongs to another principal`,
          { hint: "'sealbox principals ls' shows whose it is" },
        )
      }
      throw e
    } finally {
      zero(secretBytes)
    }
    return principal
  }

  list(): PrincipalInfo[] {
    const rows = this.db.prepare<[], Row>('SELECT * FROM principals ORDER BY name').all()
    return rows.map((r) => ({
      name: r.name,
      accessKeyId: r.access_key_id,
      arn: r.arn,
      accountId: r.account_id,
      createdAt: new Date(r.created_at),
    }))
  }

  remove(name: string): void {
    const result = this.db.prepare('DELETE FROM principals WHERE name = ?').run(name)
    if (result.changes === 0) {
      throw new SealboxError('NotFoundException', `no principal named '${name.slice(0, 80)}'`, {
        hint: "'sealbox principals ls' lists them",
      })
    }
  }

  /** The server's lookup: read on every request, so removal takes effect at once. */
  findByAccessKeyId(
    id: string,
  ): { accessKeyId: string; secretAccessKey: string; arn: string; accountId: string } | undefined {
    const row = this.findStatement.get(id)
    if (row === undefined) return undefined
    return {
      accessKeyId: row.access_key_id,
      secretAccessKey: this.secretOf(row),
      arn: row.arn,
      accountId: row.account_id,
    }
  }

  private secretOf(row: Row): string {
    if (row.sealed === 0) return row.secret.toString('utf8')
    const hit = this.unsealed.get(row.access_key_id)
    if (hit !== undefined && hit.blob.equals(row.secret)) return hit.secret
    if (this.sealer === undefined) {
      throw new SealboxError(
        'KeystoreLocked',
        `the secret of principal '${row.name}' is sealed and no sealing key is open`,
      )
    }
    const bytes = this.sealer.unseal(new Uint8Array(row.secret), aadFor(row.access_key_id))
    const secret = fromUtf8(bytes)
    zero(bytes)
    if (this.unsealed.size >= 1024) this.unsealed.clear()
    this.unsealed.set(row.access_key_id, { blob: row.secret, secret })
    return secret
  }

  close(): void {
    if (this.ownsDb) this.db.close()
  }
}
