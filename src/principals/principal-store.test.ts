import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { concatBytes } from '../bytes/index.js'
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes } from '../crypto/index.js'
import { isSealboxError } from '../errors/index.js'
import { PrincipalStore, type SecretSealer } from './index.js'

function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sealbox-principals-')), 'keystore.db')
}

function testSealer(): SecretSealer & { calls: number } {
  const key = randomBytes(32)
  const sealer = {
    calls: 0,
    seal(plaintext: Uint8Array, aad: Uint8Array) {
      const iv = randomBytes(12)
      const { ciphertext, tag } = aesGcmEncrypt(key, iv, plaintext, aad)
      return concatBytes(iv, ciphertext, tag)
    },
    unseal(sealed: Uint8Array, aad: Uint8Array) {
      sealer.calls++
      return aesGcmDecrypt(
        key,
        sealed.subarray(0, 12),
        sealed.subarray(12, -16),
        sealed.subarray(-16),
        aad,
      )
    },
  }
  return sealer
}

void describe('principal store', () => {
  void test('create returns the secret once; ls and lookups never show it', () => {
    const path = dbPath()
    const store = PrincipalStore.open({ path })
    const alice = store.create('alice', '111122223333')
    assert.match(alice.accessKeyId, /^AKIA[A-Z2-7]{16}$/)
    assert.match(alice.secretAccessKey, /^[A-Za-z0-9+/]{40}$/)
    assert.equal(alice.arn, 'arn:aws:iam::111122223333:user/alice')
    store.create('bob', '111122223333')
    const listed = store.list()
    assert.deepEqual(
      listed.map((p) => p.name),
      ['alice', 'bob'],
    )
    assert.ok(!JSON.stringify(listed).includes(alice.secretAccessKey))
    assert.deepEqual(store.findByAccessKeyId(alice.accessKeyId), {
      accessKeyId: alice.accessKeyId,
      secretAccessKey: alice.secretAccessKey,
      arn: alice.arn,
      accountId: '111122223333',
    })
    assert.equal(store.findByAccessKeyId('AKIAUNKNOWNUNKNOWN00'), undefined)
    assert.equal(statSync(path).mode & 0o777, 0o600)
    store.close()
  })

  void test('another connection to the same file sees creations and removals at once', () => {
    const path = dbPath()
    const writer = PrincipalStore.open({ path })
    const reader = PrincipalStore.open({ path })
    const alice = writer.create('alice', '111122223333')
    assert.equal(reader.findByAccessKeyId(alice.accessKeyId)?.arn, alice.arn)
    writer.remove('alice')
    assert.equal(reader.findByAccessKeyId(alice.accessKeyId), undefined)
    writer.close()
    reader.close()
  })

  void test('names and accounts are checked; duplicates and unknown names are refused', () => {
    const store = PrincipalStore.open({ path: dbPath() })
    for (const bad of ['', 'a b', 'x'.repeat(65), 'alice/evil', 'é']) {
      assert.throws(
        () => store.create(bad, '111122223333'),
        (e) => isSealboxError(e, 'ValidationException'),
      )
    }
    assert.throws(
      () => store.create('alice', '1234'),
      (e) => isSealboxError(e, 'ValidationException') && /12 digits/.test(e.message),
    )
    store.create('alice', '111122223333')
    assert.throws(
      () => store.create('alice', '111122223333'),
      (e) => isSealboxError(e, 'AlreadyExists') && e.hint !== undefined,
    )
    assert.throws(
      () => store.remove('nobody'),
      (e) => isSealboxError(e, 'NotFoundException'),
    )
    store.close()
  })

  void test('with a sealer, the secret is not in the file and is unsealed once per change', () => {
    const path = dbPath()
    const sealer = testSealer()
    const store = PrincipalStore.open({ path }, { sealer })
    assert.equal(store.sealsSecrets, true)
    const alice = store.create('alice', '111122223333')
    store.close()
    const bytes = readFileSync(path)
    const wal = (() => {
      try {
        return readFileSync(`${path}-wal`)
      } catch {
        return Buffer.alloc(0)
      }
    })()
    assert.equal(bytes.includes(alice.secretAccessKey), false)
    assert.equal(wal.includes(alice.secretAccessKey), false)

    const reopened = PrincipalStore.open({ path }, { sealer })
    assert.equal(
      reopened.findByAccessKeyId(alice.accessKeyId)?.secretAccessKey,
      alice.secretAccessKey,
    )
    assert.equal(
      reopened.findByAccessKeyId(alice.accessKeyId)?.secretAccessKey,
      alice.secretAccessKey,
    )
    assert.equal(sealer.calls, 1)
    const locked = PrincipalStore.open({ path })
    assert.throws(
      () => locked.findByAccessKeyId(alice.accessKeyId),
      (e) => isSealboxError(e, 'KeystoreLocked'),
    )
    locked.close()
    reopened.close()
  })

  void test('without a sealer the secret is stored in the clear in a 0600 file', () => {
    const path = dbPath()
    const store = PrincipalStore.open({ path })
    assert.equal(store.sealsSecrets, false)
    const alice = store.create('alice', '111122223333')
    store.close()
    const all = Buffer.concat([
      readFileSync(path),
      (() => {
        try {
          return readFileSync(`${path}-wal`)
        } catch {
          return Buffer.alloc(0)
        }
      })(),
    ])
    assert.equal(all.includes(alice.secretAccessKey), true)
    assert.equal(statSync(path).mode & 0o777, 0o600)
  })

  void test('chosen credentials are kept, checked, and unique', () => {
    const sealer = testSealer()
    const store = PrincipalStore.open({ path: dbPath() }, { sealer })
    const ci = store.create('ci', '000000000000', {
      accessKeyId: 'test',
      secretAccessKey: 'not-a-real-secret/+=',
    })
    assert.equal(ci.accessKeyId, 'test')
    assert.deepEqual(store.findByAccessKeyId('test'), {
      accessKeyId: 'test',
      secretAccessKey: 'not-a-real-secret/+=',
      arn: 'arn:aws:iam::000000000000:user/ci',
      accountId: '000000000000',
    })
    const refused = (f: () => unknown, code: string, message: RegExp) =>
      assert.throws(
        f,
        (e: unknown) => isSealboxError(e) && e.code === code && message.test(e.message),
      )
    refused(
      () => store.create('ci2', '000000000000', { accessKeyId: 'test', secretAccessKey: 'x' }),
      'AlreadyExists',
      /access key id 'test' already belongs to another principal/,
    )
    refused(
      () => store.create('ci3', '000000000000', { accessKeyId: 'AKIA/1', secretAccessKey: 'x' }),
      'ValidationException',
      /access key id 'AKIA\/1' is not valid/,
    )
    refused(
      () =>
        store.create('ci4', '000000000000', { accessKeyId: 'k4', secretAccessKey: 'has space' }),
      'ValidationException',
      /secret access key is not valid/,
    )
    refused(
      () => store.create('ci5', '000000000000', { accessKeyId: 'k5', secretAccessKey: '' }),
      'ValidationException',
      /secret access key is not valid/,
    )
    assert.deepEqual(
      store.list().map((p) => p.name),
      ['ci'],
    )
  })
})
