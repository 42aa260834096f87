import Database from 'better-sqlite3'
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { concatBytes, utf8, zero } from '../../bytes/index.js'
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  randomBytes,
  randomUUID,
  scryptKey,
} from '../../crypto/index.js'
import { SealboxError } from '../../errors/index.js'
import { generationSchema, ReadCache } from './read-cache.js'
import { KMS_TABLES, SCHEMA } from './schema.js'

export interface KeystoreOptions {
  /** Folder holding `keystore.db` and `root.key` (created 0700). */
  home: string
  /** Derive the root key from this passphrase (scrypt) instead of the `root.key` file. */
  passphrase?: string
}

/** Seals small secrets under the keystore's root key, bound to `aad`. */
export interface Sealer {
  seal(plaintext: Uint8Array, aad: Uint8Array): Uint8Array
  unseal(sealed: Uint8Array, aad: Uint8Array): Uint8Array
}

const ROOT_CHECK = utf8('sealbox root key check')

/**
 * The embedded keystore: one SQLite file (WAL) shared by every process on the machine, and the
 * root key that seals all key material in it. Key material never touches the file unsealed.
 */
export class Keystore implements Sealer {
  readonly db: Database.Database
  private rootKey: Uint8Array
  private readonly offsetStmt: Database.Statement
  /** Rows read on every request, kept while the keystore is unchanged (see ReadCache). */
  readonly reads: ReadCache

  private constructor(db: Database.Database, rootKey: Uint8Array) {
    this.db = db
    this.reads = new ReadCache(db)
    this.rootKey = rootKey
    this.offsetStmt = db.prepare(`SELECT value FROM meta WHERE name = 'clock_offset_ms'`)
  }

  static open(options: KeystoreOptions): Keystore {
    mkdirSync(options.home, { recursive: true, mode: 0o700 })
    const path = join(options.home, 'keystore.db')
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
    const db = new Database(path, { timeout: 30_000 })
    try {
      db.pragma('journal_mode = WAL')
      // NORMAL in WAL mode: a commit survives a process crash; only an OS crash can lose the last commits.
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      db.transaction(() => db.exec(SCHEMA + generationSchema(KMS_TABLES))).immediate()
      const rootKey = unlockRoot(db, options)
      return new Keystore(db, rootKey)
    } catch (e) {
      db.close()
      throw e
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction: the unit of every change, safe across processes. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /**
   * A transaction that creates or changes key material: fsynced before it returns, so a power
   * loss cannot lose a key whose data keys were already handed out. Audit appends stay cheaper.
   */
  durableTransaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.transaction(fn)
    this.db.pragma('synchronous = FULL')
    try {
      return this.transaction(fn)
    } finally {
      this.db.pragma('synchronous = NORMAL')
    }
  }

  seal(plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const iv = randomBytes(12)
    const { ciphertext, tag } = aesGcmEncrypt(this.rootKey, iv, plaintext, aad)
    return concatBytes(iv, ciphertext, tag)
  }

  unseal(sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    if (sealed.length < 28)
      throw new SealboxError('KeystoreCorrupt', 'a sealed keystore entry is truncated')
    return aesGcmDecrypt(
      this.rootKey,
      sealed.subarray(0, 12),
      sealed.subarray(12, sealed.length - 16),
      sealed.subarray(sealed.length - 16),
      aad,
      'KeystoreCorrupt',
      'a keystore entry failed authentication under the root key: the keystore was altered or belongs to another root key',
    )
  }

  /** Milliseconds the keystore's clock runs ahead of the system clock (`sealbox kms advance-clock`). */
  clockOffsetMs(): number {
    return this.reads.get('clock offset', () => {
      const row = this.offsetStmt.get() as { value: string } | undefined
      return row === undefined ? 0 : Number(row.value)
    })
  }

  advanceClock(ms: number): number {
    return this.transaction(() => {
      const next = this.clockOffsetMs() + ms
      this.db
        .prepare(`INSERT OR REPLACE INTO meta (name, value) VALUES ('clock_offset_ms', ?)`)
        .run(String(next))
      return next
    })
  }

  close(): void {
    zero(this.rootKey)
    this.rootKey = new Uint8Array(0)
    if (this.db.open) this.db.close()
  }
}

function unlockRoot(db: Database.Database, options: KeystoreOptions): Uint8Array {
  const meta = (name: string) =>
    (db.prepare(`SELECT value FROM meta WHERE name = ?`).get(name) as { value: string } | undefined)
      ?.value
  const kind = options.passphrase === undefined ? 'file' : 'passphrase'
  const storedKind = meta('root_kind')
  const check = meta('root_check')
  if (
    kind === 'file' &&
    storedKind === 'file' &&
    check !== undefined &&
    !existsSync(join(options.home, 'root.key'))
  ) {
    // Never mint a new root key for a keystore that already has one: its keys would be lost.
    throw new SealboxError(
      'KeystoreLocked',
      `${join(options.home, 'root.key')} is missing: the keys in this keystore cannot be unsealed without it`,
      {
        hint: 'restore root.key from your backup',
      },
    )
  }
  const rootKey =
    kind === 'file'
      ? readOrCreateRootFile(join(options.home, 'root.key'))
      : passphraseKey(db, options.passphrase!)
  if (storedKind === undefined || check === undefined) {
    const iv = randomBytes(12)
    const { ciphertext, tag } = aesGcmEncrypt(rootKey, iv, ROOT_CHECK, ROOT_CHECK)
    db.transaction(() => {
      db.prepare(`INSERT OR IGNORE INTO meta (name, value) VALUES ('root_kind', ?)`).run(kind)
      db.prepare(`INSERT OR IGNORE INTO meta (name, value) VALUES ('root_check', ?)`).run(
        Buffer.from(concatBytes(iv, ciphertext, tag)).toString('base64'),
      )
    }).immediate()
    return verifyRoot(db, rootKey, kind)
  }
  return verifyRoot(db, rootKey, kind)
}

function verifyRoot(db: Database.Database, rootKey: Uint8Array, kind: string): Uint8Array {
  const row = (name: string) =>
    (db.prepare(`SELECT value FROM meta WHERE name = ?`).get(name) as { value: string }).value
  const storedKind = row('root_kind')
  if (storedKind !== kind) {
    zero(rootKey)
    throw new SealboxError(
      'KeystoreLocked',
      storedKind === 'passphrase'
        ? 'this keystore is locked by a passphrase'
        : 'this keystore is sealed by its root.key file, not by a passphrase',
      { hint: storedKind === 'passphrase' ? 'set SEALBOX_PASSPHRASE' : 'unset SEALBOX_PASSPHRASE' },
    )
  }
  const sealed = Buffer.from(row('root_check'), 'base64')
  try {
    aesGcmDecrypt(
      rootKey,
      sealed.subarray(0, 12),
      sealed.subarray(12, sealed.length - 16),
      sealed.subarray(sealed.length - 16),
      ROOT_CHECK,
    )
  } catch {
    zero(rootKey)
    throw new SealboxError(
      'KeystoreLocked',
      kind === 'passphrase'
        ? 'wrong passphrase for this keystore'
        : 'root.key does not unlock this keystore',
    )
  }
  return rootKey
}

function passphraseKey(db: Database.Database, passphrase: string): Uint8Array {
  db.transaction(() => {
    db.prepare(`INSERT OR IGNORE INTO meta (name, value) VALUES ('scrypt_salt', ?)`).run(
      Buffer.from(randomBytes(16)).toString('base64'),
    )
  }).immediate()
  const salt = (
    db.prepare(`SELECT value FROM meta WHERE name = 'scrypt_salt'`).get() as { value: string }
  ).value
  return scryptKey(passphrase, Buffer.from(salt, 'base64'))
}

/** Creates the root key file atomically (write a temp file, then link: only one racer wins). */
function readOrCreateRootFile(path: string): Uint8Array {
  try {
    return readRootFile(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const temp = `${path}.${randomUUID()}.tmp`
  const key = randomBytes(32)
  const fd = openSync(temp, 'wx', 0o600)
  try {
    writeSync(fd, key)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
    zero(key)
  }
  try {
    linkSync(temp, path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    unlinkSync(temp)
  }
  return readRootFile(path)
}

function readRootFile(path: string): Uint8Array {
  const bytes = readFileSync(path)
  if (bytes.length !== 32) {
    throw new SealboxError(
      'KeystoreCorrupt',
      `${path} must hold 32 bytes, it holds ${bytes.length}`,
    )
  }
  return new Uint8Array(bytes)
}
