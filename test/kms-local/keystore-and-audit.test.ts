import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { Keystore } from '../../src/kms/local/index.js'
import { bytes, openTestKms } from './open-test-kms.js'

describe('keystore', () => {
  test('the keystore and root key are created mode 0600 in a 0700 folder', () => {
    const t = openTestKms(join(mkdtempSync(join(tmpdir(), 'sealbox-ks-')), 'home'))
    t.close()
    assert.equal(statSync(t.home).mode & 0o777, 0o700)
    assert.equal(statSync(join(t.home, 'keystore.db')).mode & 0o777, 0o600)
    assert.equal(statSync(join(t.home, 'root.key')).mode & 0o777, 0o600)
  })

  test('key material is sealed: the database alone does not decrypt', async () => {
    const t = openTestKms()
    const { keyMetadata } = await t.kms.createKey({})
    const { ciphertextBlob } = await t.kms.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('x'),
    })
    t.close()
    rmSync(join(t.home, 'root.key'))
    assert.throws(
      () => Keystore.open({ home: t.home }),
      (e) => isSealboxError(e, 'KeystoreLocked') && /root\.key is missing/.test(e.message),
    )
    assert.ok(ciphertextBlob.length > 0)
  })

  test('a passphrase keystore refuses a wrong passphrase and the key file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sealbox-ks-'))
    Keystore.open({ home, passphrase: 'correct horse' }).close()
    assert.throws(
      () => Keystore.open({ home, passphrase: 'wrong horse' }),
      (e) => isSealboxError(e, 'KeystoreLocked') && /wrong passphrase/.test(e.message),
    )
    assert.throws(
      () => Keystore.open({ home }),
      (e) => isSealboxError(e, 'KeystoreLocked') && /passphrase/.test(e.message),
    )
    Keystore.open({ home, passphrase: 'correct horse' }).close()
  })
})

describe('audit log', () => {
  async function withEvents() {
    const t = openTestKms()
    const { keyMetadata } = await t.kms.createKey({})
    const { ciphertextBlob } = await t.kms.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('x'),
      encryptionContext: { Record: 'User/123' },
    })
    await t.kms.decrypt({ ciphertextBlob, encryptionContext: { Record: 'User/123' } })
    await assert.rejects(
      t.kms.decrypt({ ciphertextBlob, encryptionContext: { Record: 'User/999' } }),
    )
    return { t, keyArn: keyMetadata.arn }
  }

  test('every call is recorded with principal, key, context, material id and outcome; never the plaintext', async () => {
    const { t, keyArn } = await withEvents()
    const reads = [...t.audit.query({ context: { Record: 'User/123' }, operation: 'Decrypt' })]
    assert.equal(reads.length, 1)
    assert.equal(reads[0]!.keyArn, keyArn)
    assert.equal(reads[0]!.outcome, 'ok')
    assert.match(reads[0]!.keyMaterialId!, /^[0-9a-f]{64}$/)
    assert.match(reads[0]!.principal, /user\/alice$/)
    assert.equal([...t.audit.query({ outcome: 'InvalidCiphertextException' })].length, 1)
    assert.equal([...t.audit.query({ keyArn })].length, 4)
    const columns = t.keystore.db.prepare(`SELECT * FROM audit_events`).all()
    assert.ok(!JSON.stringify(columns).includes('plaintext'))
    assert.deepEqual(t.audit.verify(), { ok: true, events: 4 })
    t.close()
  })

  test('a ReEncrypt event names its source key and material, and its destination key', async () => {
    const t = openTestKms()
    const source = (await t.kms.createKey({})).keyMetadata.arn
    const destination = (await t.kms.createKey({})).keyMetadata.arn
    const { ciphertextBlob } = await t.kms.encrypt({ keyId: source, plaintext: bytes('x') })
    const moved = await t.kms.reEncrypt({ ciphertextBlob, destinationKeyId: destination })
    await t.kms.disableKey({ keyId: destination })
    await assert.rejects(t.kms.reEncrypt({ ciphertextBlob, destinationKeyId: destination }))
    const [ok, refused] = [...t.audit.query({ operation: 'ReEncrypt' })]
    assert.equal(ok!.keyArn, source)
    assert.equal(ok!.destinationKeyArn, destination)
    assert.equal(ok!.keyMaterialId, moved.sourceKeyMaterialId)
    assert.notEqual(ok!.keyMaterialId, moved.destinationKeyMaterialId)
    assert.equal(refused!.outcome, 'DisabledException')
    assert.equal(refused!.destinationKeyArn, destination)
    // other events name no destination
    const encrypted = [...t.audit.query({ operation: 'Encrypt' })][0]!
    assert.equal('destinationKeyArn' in encrypted, false)
    assert.deepEqual(t.audit.verify(), { ok: true, events: 6 })
    t.close()
  })

  test('verify names an edited, a removed and a reordered event', async () => {
    for (const [tamper, reason] of [
      [
        `UPDATE audit_events SET principal = 'arn:aws:iam::1:user/mallory' WHERE seq = 2`,
        /event 2 was edited/,
      ],
      [`DELETE FROM audit_events WHERE seq = 3`, /event 3 is missing/],
      [
        `UPDATE audit_events SET seq = -2 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -2`,
        /event 2/,
      ],
      [`DELETE FROM audit_events WHERE seq = 4`, null],
    ] as const) {
      const { t } = await withEvents()
      t.keystore.db.exec(tamper)
      const result = t.audit.verify()
      if (reason === null) {
        // dropping the newest event cannot be seen from the chain alone: the count tells
        assert.deepEqual(result, { ok: true, events: 3 })
      } else {
        assert.equal(result.ok, false, tamper)
        assert.match((result as { reason: string }).reason, reason)
      }
      t.close()
    }
  })
})
