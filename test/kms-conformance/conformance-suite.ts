import assert from 'node:assert/strict'
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import type { KmsPort } from '../../src/kms/types/index.js'

/** One target of the suite: a KMS port acting for a principal allowed everything on its keys. */
export interface ConformanceTarget {
  kms: KmsPort
  /** The ARN the port acts as. */
  principal: string
  close(): Promise<void>
}

const KEY_ARN = /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/
const bytes = (text: string) => new TextEncoder().encode(text)

async function refusedWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isSealboxError(e), `expected a SealboxError, got ${String(e)}`)
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`)
    if (message !== undefined) assert.match(e.message, message)
    return true
  })
}

/**
 * The KMS port's behaviour, the same whatever carries it: the embedded KMS in-process, the AWS
 * SDK to `sealbox serve`, or hand-signed HTTP requests. Every expectation is shared.
 */
export function kmsConformance(name: string, open: () => Promise<ConformanceTarget>): void {
  void describe(`KMS port conformance: ${name}`, () => {
    let target: ConformanceTarget
    let kms: KmsPort
    let keyArn: string
    let keyId: string
    let otherArn: string
    const suffix = Math.random().toString(36).slice(2, 8)

    before(async () => {
      target = await open()
      kms = target.kms
      const key = await kms.createKey({ description: 'conformance' })
      keyArn = key.keyMetadata.arn
      keyId = key.keyMetadata.keyId
      otherArn = (await kms.createKey({})).keyMetadata.arn
    })
    after(() => target.close())

    void test('CreateKey and DescribeKey: metadata as AWS gives it, by every form of key id', async () => {
      const { keyMetadata } = await kms.describeKey({ keyId })
      assert.match(keyMetadata.arn, KEY_ARN)
      assert.equal(keyMetadata.arn, keyArn)
      assert.equal(keyMetadata.keyId, keyId)
      assert.equal(keyMetadata.keyState, 'Enabled')
      assert.equal(keyMetadata.enabled, true)
      assert.equal(keyMetadata.keyUsage, 'ENCRYPT_DECRYPT')
      assert.equal(keyMetadata.keySpec, 'SYMMETRIC_DEFAULT')
      assert.equal(keyMetadata.origin, 'AWS_KMS')
      assert.equal(keyMetadata.keyManager, 'CUSTOMER')
      assert.equal(keyMetadata.description, 'conformance')
      assert.deepEqual(keyMetadata.encryptionAlgorithms, ['SYMMETRIC_DEFAULT'])
      assert.ok(keyMetadata.creationDate instanceof Date)
      assert.ok(Math.abs(keyMetadata.creationDate.getTime() - Date.now()) < 24 * 3600 * 1000 * 400)
      assert.equal(keyMetadata.awsAccountId, keyArn.split(':')[4])
      const alias = `alias/conformance-${suffix}`
      await kms.createAlias({ aliasName: alias, targetKeyId: keyId })
      const aliasArn = keyArn.replace(/:key\/.*/, `:${alias}`)
      for (const form of [keyArn, alias, aliasArn]) {
        assert.equal((await kms.describeKey({ keyId: form })).keyMetadata.arn, keyArn, form)
      }
      await refusedWith(
        kms.describeKey({ keyId: '00000000-0000-0000-0000-000000000000' }),
        'NotFoundException',
      )
      await refusedWith(kms.describeKey({ keyId: 'alias/no-such-alias' }), 'NotFoundException')
    })

    void test('Encrypt and Decrypt: the context is bound; 4096 bytes at most', async () => {
      const context = { Record: 'User/123', purpose: 'conformance' }
      const encrypted = await kms.encrypt({
        keyId,
        plaintext: bytes('secret'),
        encryptionContext: context,
      })
      assert.equal(encrypted.keyId, keyArn)
      assert.equal(encrypted.encryptionAlgorithm, 'SYMMETRIC_DEFAULT')
      const decrypted = await kms.decrypt({
        ciphertextBlob: encrypted.ciphertextBlob,
        encryptionContext: context,
      })
      assert.deepEqual(decrypted.plaintext, bytes('secret'))
      assert.equal(decrypted.keyId, keyArn)
      assert.equal(decrypted.encryptionAlgorithm, 'SYMMETRIC_DEFAULT')
      assert.equal(typeof decrypted.keyMaterialId, 'string')
      await refusedWith(
        kms.decrypt({
          ciphertextBlob: encrypted.ciphertextBlob,
          encryptionContext: { Record: 'User/124', purpose: 'conformance' },
        }),
        'InvalidCiphertextException',
      )
      await refusedWith(
        kms.decrypt({ ciphertextBlob: encrypted.ciphertextBlob }),
        'InvalidCiphertextException',
      )
      await refusedWith(
        kms.decrypt({
          ciphertextBlob: encrypted.ciphertextBlob,
          encryptionContext: context,
          keyId: otherArn,
        }),
        'IncorrectKeyException',
      )
      const tampered = Uint8Array.from(encrypted.ciphertextBlob)
      tampered[tampered.length - 1]! ^= 1
      await refusedWith(
        kms.decrypt({ ciphertextBlob: tampered, encryptionContext: context }),
        'InvalidCiphertextException',
      )
      const max = await kms.encrypt({ keyId, plaintext: new Uint8Array(4096).fill(1) })
      assert.equal(
        (await kms.decrypt({ ciphertextBlob: max.ciphertextBlob })).plaintext.length,
        4096,
      )
      await refusedWith(
        kms.encrypt({ keyId, plaintext: new Uint8Array(4097) }),
        'ValidationException',
        /4096/,
      )
    })

    void test('GenerateDataKey(+WithoutPlaintext): key sizes, and the blob decrypts to the key', async () => {
      const context = { file: 'a.txt' }
      const dk = await kms.generateDataKey({
        keyId,
        keySpec: 'AES_256',
        encryptionContext: context,
      })
      assert.equal(dk.plaintext.length, 32)
      assert.equal(dk.keyId, keyArn)
      assert.deepEqual(
        (await kms.decrypt({ ciphertextBlob: dk.ciphertextBlob, encryptionContext: context }))
          .plaintext,
        dk.plaintext,
      )
      assert.equal((await kms.generateDataKey({ keyId, keySpec: 'AES_128' })).plaintext.length, 16)
      assert.equal((await kms.generateDataKey({ keyId, numberOfBytes: 64 })).plaintext.length, 64)
      await refusedWith(
        kms.generateDataKey({ keyId, keySpec: 'AES_256', numberOfBytes: 32 }),
        'ValidationException',
      )
      await refusedWith(kms.generateDataKey({ keyId, numberOfBytes: 1025 }), 'ValidationException')
      const without = await kms.generateDataKeyWithoutPlaintext({ keyId, keySpec: 'AES_256' })
      assert.equal('plaintext' in without, false)
      assert.equal(
        (await kms.decrypt({ ciphertextBlob: without.ciphertextBlob })).plaintext.length,
        32,
      )
    })

    void test('ReEncrypt moves a ciphertext to another key and context', async () => {
      const encrypted = await kms.encrypt({
        keyId,
        plaintext: bytes('move me'),
        encryptionContext: { a: '1' },
      })
      const moved = await kms.reEncrypt({
        ciphertextBlob: encrypted.ciphertextBlob,
        sourceEncryptionContext: { a: '1' },
        destinationKeyId: otherArn,
        destinationEncryptionContext: { b: '2' },
      })
      assert.equal(moved.sourceKeyId, keyArn)
      assert.equal(moved.keyId, otherArn)
      const back = await kms.decrypt({
        ciphertextBlob: moved.ciphertextBlob,
        encryptionContext: { b: '2' },
      })
      assert.deepEqual(back.plaintext, bytes('move me'))
      assert.equal(back.keyId, otherArn)
    })

    void test('GenerateRandom: 1 to 1024 bytes', async () => {
      assert.equal((await kms.generateRandom({ numberOfBytes: 1024 })).plaintext.length, 1024)
      assert.equal((await kms.generateRandom({ numberOfBytes: 1 })).plaintext.length, 1)
      await refusedWith(kms.generateRandom({ numberOfBytes: 1025 }), 'ValidationException')
      await refusedWith(kms.generateRandom({ numberOfBytes: 0 }), 'ValidationException')
    })

    void test('aliases: create, list, update, delete; names are unique', async () => {
      const alias = `alias/moving-${suffix}`
      await kms.createAlias({ aliasName: alias, targetKeyId: keyArn })
      await refusedWith(
        kms.createAlias({ aliasName: alias, targetKeyId: keyArn }),
        'AlreadyExistsException',
      )
      const listed = await kms.listAliases({ keyId })
      assert.ok(listed.aliases.some((a) => a.aliasName === alias && a.targetKeyId === keyId))
      await kms.updateAlias({ aliasName: alias, targetKeyId: otherArn })
      assert.equal((await kms.describeKey({ keyId: alias })).keyMetadata.arn, otherArn)
      await kms.deleteAlias({ aliasName: alias })
      await refusedWith(kms.describeKey({ keyId: alias }), 'NotFoundException')
      await refusedWith(kms.deleteAlias({ aliasName: alias }), 'NotFoundException')
    })

    void test('key states: disabled keys refuse to encrypt; deletion is scheduled and cancelled', async () => {
      const { keyMetadata } = await kms.createKey({})
      const id = keyMetadata.keyId
      await kms.disableKey({ keyId: id })
      assert.equal((await kms.describeKey({ keyId: id })).keyMetadata.keyState, 'Disabled')
      await refusedWith(kms.encrypt({ keyId: id, plaintext: bytes('x') }), 'DisabledException')
      await kms.enableKey({ keyId: id })
      await kms.encrypt({ keyId: id, plaintext: bytes('x') })
      const scheduled = await kms.scheduleKeyDeletion({ keyId: id, pendingWindowInDays: 7 })
      assert.equal(scheduled.keyId, keyMetadata.arn)
      assert.equal(scheduled.keyState, 'PendingDeletion')
      assert.equal(scheduled.pendingWindowInDays, 7)
      assert.ok(scheduled.deletionDate instanceof Date)
      await refusedWith(
        kms.encrypt({ keyId: id, plaintext: bytes('x') }),
        'KMSInvalidStateException',
      )
      const cancelled = await kms.cancelKeyDeletion({ keyId: id })
      assert.equal(cancelled.keyId, keyMetadata.arn)
      assert.equal((await kms.describeKey({ keyId: id })).keyMetadata.keyState, 'Disabled')
    })

    void test('rotation: enabled, on demand, listed; old ciphertexts still decrypt', async () => {
      const { keyMetadata } = await kms.createKey({})
      const id = keyMetadata.keyId
      const before = await kms.encrypt({ keyId: id, plaintext: bytes('old') })
      const beforeMaterial = (await kms.decrypt({ ciphertextBlob: before.ciphertextBlob }))
        .keyMaterialId
      assert.equal((await kms.getKeyRotationStatus({ keyId: id })).keyRotationEnabled, false)
      await kms.enableKeyRotation({ keyId: id, rotationPeriodInDays: 90 })
      const status = await kms.getKeyRotationStatus({ keyId: id })
      assert.equal(status.keyRotationEnabled, true)
      assert.equal(status.rotationPeriodInDays, 90)
      assert.ok(status.nextRotationDate instanceof Date)
      assert.equal((await kms.rotateKeyOnDemand({ keyId: id })).keyId, keyMetadata.arn)
      const rotations = await kms.listKeyRotations({ keyId: id })
      assert.ok(rotations.rotations.some((r) => r.rotationType === 'ON_DEMAND'))
      const after = await kms.encrypt({ keyId: id, plaintext: bytes('new') })
      const afterMaterial = (await kms.decrypt({ ciphertextBlob: after.ciphertextBlob }))
        .keyMaterialId
      assert.notEqual(afterMaterial, beforeMaterial)
      const old = await kms.decrypt({ ciphertextBlob: before.ciphertextBlob })
      assert.deepEqual(old.plaintext, bytes('old'))
      assert.equal(old.keyMaterialId, beforeMaterial)
      await kms.disableKeyRotation({ keyId: id })
      assert.equal((await kms.getKeyRotationStatus({ keyId: id })).keyRotationEnabled, false)
    })

    void test('tags and descriptions', async () => {
      await kms.tagResource({
        keyId,
        tags: [
          { tagKey: 'team', tagValue: 'blue' },
          { tagKey: 'env', tagValue: '' },
        ],
      })
      const tags = (await kms.listResourceTags({ keyId })).tags
      assert.deepEqual(
        [...tags].sort((a, b) => a.tagKey.localeCompare(b.tagKey)),
        [
          { tagKey: 'env', tagValue: '' },
          { tagKey: 'team', tagValue: 'blue' },
        ],
      )
      await kms.untagResource({ keyId, tagKeys: ['env'] })
      assert.deepEqual((await kms.listResourceTags({ keyId })).tags, [
        { tagKey: 'team', tagValue: 'blue' },
      ])
      await refusedWith(
        kms.tagResource({ keyId, tags: [{ tagKey: 'aws:reserved', tagValue: 'x' }] }),
        'TagException',
      )
      await kms.updateKeyDescription({ keyId, description: 'renamed' })
      assert.equal((await kms.describeKey({ keyId })).keyMetadata.description, 'renamed')
      await kms.updateKeyDescription({ keyId, description: 'conformance' })
    })

    void test('key policies: default, put, get, list', async () => {
      const { keyMetadata } = await kms.createKey({})
      const id = keyMetadata.keyId
      assert.deepEqual((await kms.listKeyPolicies({ keyId: id })).policyNames, ['default'])
      const got = await kms.getKeyPolicy({ keyId: id, policyName: 'default' })
      assert.equal(got.policyName, 'default')
      const policy = JSON.parse(got.policy) as { Statement: unknown[] }
      assert.ok(Array.isArray(policy.Statement))
      const account = keyMetadata.awsAccountId
      const replacement = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'all',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      })
      await kms.putKeyPolicy({ keyId: id, policyName: 'default', policy: replacement })
      assert.deepEqual(
        JSON.parse((await kms.getKeyPolicy({ keyId: id })).policy),
        JSON.parse(replacement),
      )
      await refusedWith(
        kms.putKeyPolicy({ keyId: id, policy: '{not json' }),
        'MalformedPolicyDocumentException',
      )
    })

    void test('ListKeys pages with Limit and Marker and finds every key', async () => {
      const seen = new Set<string>()
      let marker: string | undefined
      let pages = 0
      do {
        const page = await kms.listKeys({ limit: 1, ...(marker === undefined ? {} : { marker }) })
        assert.ok(page.keys.length <= 1)
        for (const k of page.keys) {
          assert.match(k.keyArn, KEY_ARN)
          seen.add(k.keyArn)
        }
        marker = page.truncated ? page.nextMarker : undefined
        if (page.truncated) assert.equal(typeof page.nextMarker, 'string')
        pages++
      } while (marker !== undefined && pages < 1000)
      assert.ok(seen.has(keyArn) && seen.has(otherArn))
      assert.ok(pages >= 2)
    })

    void test('grants: create, list with filters and pages, retire by token, revoke; errors as AWS names them', async () => {
      const grantee = 'arn:aws:iam::444455556666:user/grantee'
      const created = await kms.createGrant({
        keyId,
        granteePrincipal: grantee,
        operations: ['Decrypt', 'Encrypt', 'Decrypt'],
        retiringPrincipal: target.principal,
        constraints: { encryptionContextSubset: { Department: 'IT' } },
        name: `conformance-${suffix}`,
      })
      assert.match(created.grantId, /^[0-9a-f]{64}$/)
      assert.ok(created.grantToken.length > 32)
      // the same name and parameters again: the same grant
      const again = await kms.createGrant({
        keyId: keyArn,
        granteePrincipal: grantee,
        operations: ['Encrypt', 'Decrypt'],
        retiringPrincipal: target.principal,
        constraints: { encryptionContextSubset: { Department: 'IT' } },
        name: `conformance-${suffix}`,
      })
      assert.equal(again.grantId, created.grantId)
      // with a new token; every token of the grant stays good while the grant lives
      assert.notEqual(again.grantToken, created.grantToken)
      await kms.encrypt({
        keyId,
        plaintext: bytes('x'),
        encryptionContext: { Department: 'IT' },
        grantTokens: [created.grantToken, again.grantToken],
      })
      const second = await kms.createGrant({
        keyId,
        granteePrincipal: 'arn:aws:iam::444455556666:role/other',
        operations: ['DescribeKey'],
      })

      const listed = await kms.listGrants({ keyId })
      assert.equal(listed.truncated, false)
      assert.equal(listed.grants.length, 2)
      const entry = listed.grants.find((g) => g.grantId === created.grantId)!
      assert.equal(entry.keyId, keyArn)
      assert.equal(entry.granteePrincipal, grantee)
      assert.equal(entry.retiringPrincipal, target.principal)
      assert.equal(entry.name, `conformance-${suffix}`)
      assert.equal(entry.issuingAccount, `arn:aws:iam::${keyArn.split(':')[4]}:root`)
      assert.deepEqual([...entry.operations].sort(), ['Decrypt', 'Encrypt'])
      assert.deepEqual(entry.constraints, { encryptionContextSubset: { Department: 'IT' } })
      assert.ok(entry.creationDate instanceof Date)
      const byGrantee = await kms.listGrants({ keyId, granteePrincipal: grantee })
      assert.deepEqual(
        byGrantee.grants.map((g) => g.grantId),
        [created.grantId],
      )
      const byId = await kms.listGrants({ keyId, grantId: second.grantId })
      assert.deepEqual(
        byId.grants.map((g) => g.grantId),
        [second.grantId],
      )
      const first = await kms.listGrants({ keyId, limit: 1 })
      assert.equal(first.truncated, true)
      const rest = await kms.listGrants({ keyId, limit: 1, marker: first.nextMarker! })
      assert.equal(rest.truncated, false)
      assert.deepEqual(
        [...first.grants, ...rest.grants].map((g) => g.grantId).sort(),
        [created.grantId, second.grantId].sort(),
      )
      const retirable = await kms.listRetirableGrants({ retiringPrincipal: target.principal })
      assert.deepEqual(
        retirable.grants.map((g) => g.grantId),
        [created.grantId],
      )

      await refusedWith(
        kms.createGrant({
          keyId,
          granteePrincipal: grantee,
          operations: ['ScheduleKeyDeletion' as 'Encrypt'],
        }),
        'ValidationException',
      )
      await refusedWith(
        kms.createGrant({ keyId, granteePrincipal: 'not a principal', operations: ['Encrypt'] }),
        'ValidationException',
      )
      await refusedWith(
        kms.createGrant({
          keyId,
          granteePrincipal: grantee,
          operations: ['Encrypt'],
          constraints: { encryptionContextSubset: { a: 'b' }, encryptionContextEquals: { a: 'b' } },
        }),
        'ValidationException',
      )
      await refusedWith(
        kms.createGrant({
          keyId,
          granteePrincipal: grantee,
          operations: ['Encrypt'],
          dryRun: true,
        }),
        'DryRunOperationException',
      )
      await refusedWith(kms.listGrants({ keyId, grantId: 'nope' }), 'InvalidGrantIdException')
      await refusedWith(kms.listGrants({ keyId, limit: 101 }), 'ValidationException')
      await refusedWith(
        kms.retireGrant({ grantToken: 'not-a-grant-token' }),
        'InvalidGrantTokenException',
      )
      await refusedWith(kms.retireGrant({}), 'ValidationException')
      await refusedWith(kms.revokeGrant({ keyId, grantId: 'f'.repeat(64) }), 'NotFoundException')
      await refusedWith(
        kms.revokeGrant({ keyId: otherArn, grantId: second.grantId }),
        'NotFoundException',
      )

      // the retiring principal retires by token; the key's administrator revokes
      await kms.retireGrant({ grantToken: created.grantToken })
      await kms.revokeGrant({ keyId, grantId: second.grantId })
      assert.deepEqual((await kms.listGrants({ keyId })).grants, [])
      await refusedWith(
        kms.retireGrant({ grantToken: created.grantToken }),
        'InvalidGrantTokenException',
      )
      await refusedWith(
        kms.retireGrant({ grantToken: again.grantToken }),
        'InvalidGrantTokenException',
      )
      // a token of a grant that is gone gives nothing, and is no error where it is not needed
      await kms.encrypt({ keyId, plaintext: bytes('x'), grantTokens: [again.grantToken] })
    })

    void test('GrantTokens: at most 10 of 1 to 8192 characters, each issued by this KMS', async () => {
      const { grantToken, grantId } = await kms.createGrant({
        keyId,
        granteePrincipal: 'arn:aws:iam::444455556666:user/tokens',
        operations: ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey'],
      })
      const { ciphertextBlob } = await kms.encrypt({ keyId, plaintext: bytes('t') })
      // every operation that takes GrantTokens, given the tokens `grantTokens`
      const calls = (grantTokens: string[]): Array<[string, () => Promise<unknown>]> => [
        ['Encrypt', () => kms.encrypt({ keyId, plaintext: bytes('t'), grantTokens })],
        ['Decrypt', () => kms.decrypt({ ciphertextBlob, grantTokens })],
        [
          'ReEncrypt',
          () => kms.reEncrypt({ ciphertextBlob, destinationKeyId: otherArn, grantTokens }),
        ],
        ['GenerateDataKey', () => kms.generateDataKey({ keyId, keySpec: 'AES_256', grantTokens })],
        [
          'GenerateDataKeyWithoutPlaintext',
          () => kms.generateDataKeyWithoutPlaintext({ keyId, numberOfBytes: 16, grantTokens }),
        ],
        ['DescribeKey', () => kms.describeKey({ keyId, grantTokens })],
        [
          'CreateGrant',
          () =>
            kms.createGrant({
              keyId,
              granteePrincipal: 'arn:aws:iam::444455556666:user/tokens',
              operations: ['Encrypt'],
              name: `tokens-${suffix}`,
              grantTokens,
            }),
        ],
      ]
      for (const [, call] of calls(Array<string>(10).fill(grantToken))) await call()
      const invalid: Array<[string[], ErrorCode, RegExp]> = [
        [['not-a-grant-token'], 'InvalidGrantTokenException', /grant token is not valid/],
        [[grantToken, 'f'.repeat(120)], 'InvalidGrantTokenException', /grant token/],
        [Array<string>(11).fill(grantToken), 'ValidationException', /'grantTokens'/],
        [[grantToken, ''], 'ValidationException', /'grantTokens\.2\.member'/],
        [['a'.repeat(8193)], 'ValidationException', /8192/],
      ]
      for (const [tokens, code, message] of invalid) {
        for (const [op, call] of calls(tokens)) {
          await refusedWith(call(), code, message).catch((e: Error) => {
            throw new Error(`${op}: ${e.message}`)
          })
        }
      }
      await refusedWith(kms.retireGrant({ grantToken: '' }), 'ValidationException')
      await refusedWith(
        kms.retireGrant({ grantToken: 'a'.repeat(8193) }),
        'ValidationException',
        /8192/,
      )
      await kms.revokeGrant({ keyId, grantId })
      const left = await kms.listGrants({ keyId })
      for (const g of left.grants) await kms.revokeGrant({ keyId, grantId: g.grantId })
    })

    void test('GetKeyLastUsage: nothing for a new key, then the newest successful cryptographic call', async () => {
      const fresh = (await kms.createKey({})).keyMetadata
      const before = await kms.getKeyLastUsage({ keyId: fresh.keyId })
      assert.equal(before.keyId, fresh.arn)
      assert.deepEqual({ ...before.keyLastUsage }, {})
      assert.equal(before.keyCreationDate.getTime(), fresh.creationDate.getTime())
      assert.ok(before.trackingStartDate.getTime() <= Date.now())
      const { ciphertextBlob } = await kms.encrypt({ keyId: fresh.arn, plaintext: bytes('use') })
      await kms.describeKey({ keyId: fresh.keyId }) // not a cryptographic use
      await refusedWith(
        kms.decrypt({ ciphertextBlob, encryptionContext: { wrong: 'context' } }),
        'InvalidCiphertextException',
      ) // not a successful one
      const after = await kms.getKeyLastUsage({ keyId: fresh.arn })
      assert.equal(after.keyLastUsage?.operation, 'Encrypt')
      assert.ok(after.keyLastUsage?.timestamp instanceof Date)
      assert.ok(Math.abs(after.keyLastUsage.timestamp.getTime() - Date.now()) < 60_000)
      assert.match(after.keyLastUsage.kmsRequestId ?? '', /^[0-9a-f-]{36}$/)
      await kms.decrypt({ ciphertextBlob })
      assert.equal(
        (await kms.getKeyLastUsage({ keyId: fresh.keyId })).keyLastUsage?.operation,
        'Decrypt',
      )
      await refusedWith(kms.getKeyLastUsage({ keyId: 'alias/anything' }), 'NotFoundException')
    })

    void test('GetKeyLastUsage: a ReEncrypt is a use of its source and of its destination key', async () => {
      const source = (await kms.createKey({})).keyMetadata.arn
      const destination = (await kms.createKey({})).keyMetadata.arn
      const { ciphertextBlob } = await kms.encrypt({ keyId: source, plaintext: bytes('move') })
      await refusedWith(
        kms.reEncrypt({
          ciphertextBlob,
          sourceEncryptionContext: { wrong: 'context' },
          destinationKeyId: destination,
        }),
        'InvalidCiphertextException',
      ) // not a successful one
      assert.deepEqual({ ...(await kms.getKeyLastUsage({ keyId: destination })).keyLastUsage }, {})
      const moved = await kms.reEncrypt({ ciphertextBlob, destinationKeyId: destination })
      const bySource = (await kms.getKeyLastUsage({ keyId: source })).keyLastUsage
      const byDestination = (await kms.getKeyLastUsage({ keyId: destination })).keyLastUsage
      assert.equal(bySource.operation, 'ReEncrypt')
      assert.equal(byDestination.operation, 'ReEncrypt')
      // one call, one event: the same request and event ids for both keys
      assert.deepEqual({ ...byDestination }, { ...bySource })
      // the destination's own later use is newer
      await kms.decrypt({ ciphertextBlob: moved.ciphertextBlob })
      assert.equal(
        (await kms.getKeyLastUsage({ keyId: destination })).keyLastUsage.operation,
        'Decrypt',
      )
      assert.equal(
        (await kms.getKeyLastUsage({ keyId: source })).keyLastUsage.operation,
        'ReEncrypt',
      )
      // and a ReEncrypt into the source after that is the source's newest use again
      await kms.reEncrypt({ ciphertextBlob: moved.ciphertextBlob, destinationKeyId: source })
      for (const keyId of [source, destination]) {
        assert.equal((await kms.getKeyLastUsage({ keyId })).keyLastUsage.operation, 'ReEncrypt')
      }
    })

    void test('imported key material: wrap with the public key, use, delete', async () => {
      await refusedWith(
        kms.getParametersForImport({
          keyId,
          wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          wrappingKeySpec: 'RSA_2048',
        }),
        'UnsupportedOperationException',
      )
      const { keyMetadata } = await kms.createKey({ origin: 'EXTERNAL' })
      const id = keyMetadata.keyId
      assert.equal(keyMetadata.keyState, 'PendingImport')
      await refusedWith(
        kms.encrypt({ keyId: id, plaintext: bytes('x') }),
        'KMSInvalidStateException',
      )
      const params = await kms.getParametersForImport({
        keyId: id,
        wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        wrappingKeySpec: 'RSA_2048',
      })
      assert.ok(params.parametersValidTo instanceof Date)
      const material = randomBytes(32)
      const publicKey = createPublicKey({
        key: Buffer.from(params.publicKey),
        format: 'der',
        type: 'spki',
      })
      const wrapped = publicEncrypt(
        { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        material,
      )
      await kms.importKeyMaterial({
        keyId: id,
        importToken: params.importToken,
        encryptedKeyMaterial: new Uint8Array(wrapped),
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      })
      assert.equal((await kms.describeKey({ keyId: id })).keyMetadata.keyState, 'Enabled')
      const ct = await kms.encrypt({ keyId: id, plaintext: bytes('imported') })
      assert.deepEqual(
        (await kms.decrypt({ ciphertextBlob: ct.ciphertextBlob })).plaintext,
        bytes('imported'),
      )
      await kms.deleteImportedKeyMaterial({ keyId: id })
      assert.equal((await kms.describeKey({ keyId: id })).keyMetadata.keyState, 'PendingImport')
      await refusedWith(
        kms.decrypt({ ciphertextBlob: ct.ciphertextBlob }),
        'KMSInvalidStateException',
      )
    })
  })
}
