import assert from 'node:assert/strict'
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { keyPolicyFor, MAX_ON_DEMAND_ROTATIONS } from '../../src/kms/local/index.js'
import {
  ACCOUNT,
  REGION,
  bytes,
  openTestKms,
  refused,
  text,
  type TestKms,
} from './open-test-kms.js'

const DAY = 86_400_000

describe('embedded KMS', () => {
  let t: TestKms
  before(() => {
    t = openTestKms()
  })
  after(() => t.close())

  test('key-id forms are accepted exactly where AWS accepts them', async () => {
    const { keyMetadata } = await t.kms.createKey({ description: 'forms' })
    await t.kms.createAlias({ aliasName: 'alias/forms', targetKeyId: keyMetadata.keyId })
    const forms = {
      keyId: keyMetadata.keyId,
      keyArn: keyMetadata.arn,
      aliasName: 'alias/forms',
      aliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/forms`,
    }
    const aliasOk = {
      describeKey: (k: string) => t.kms.describeKey({ keyId: k }),
      encrypt: (k: string) => t.kms.encrypt({ keyId: k, plaintext: bytes('x') }),
      generateDataKey: (k: string) => t.kms.generateDataKey({ keyId: k, keySpec: 'AES_256' }),
      generateDataKeyWithoutPlaintext: (k: string) =>
        t.kms.generateDataKeyWithoutPlaintext({ keyId: k, numberOfBytes: 16 }),
    }
    const keyOnly = {
      enableKey: (k: string) => t.kms.enableKey({ keyId: k }),
      updateKeyDescription: (k: string) =>
        t.kms.updateKeyDescription({ keyId: k, description: 'd' }),
      getKeyPolicy: (k: string) => t.kms.getKeyPolicy({ keyId: k }),
      listKeyPolicies: (k: string) => t.kms.listKeyPolicies({ keyId: k }),
      getKeyRotationStatus: (k: string) => t.kms.getKeyRotationStatus({ keyId: k }),
      listKeyRotations: (k: string) => t.kms.listKeyRotations({ keyId: k }),
      listResourceTags: (k: string) => t.kms.listResourceTags({ keyId: k }),
      tagResource: (k: string) =>
        t.kms.tagResource({ keyId: k, tags: [{ tagKey: 'a', tagValue: 'b' }] }),
      enableKeyRotation: (k: string) => t.kms.enableKeyRotation({ keyId: k }),
      createAliasTarget: (k: string) =>
        t.kms.createAlias({
          aliasName: `alias/t${Math.random().toString(36).slice(2)}`,
          targetKeyId: k,
        }),
    }
    for (const [op, call] of Object.entries(aliasOk)) {
      for (const [form, ref] of Object.entries(forms)) {
        await assert.doesNotReject(call(ref), `${op} must accept a ${form}`)
      }
    }
    for (const [op, call] of Object.entries(keyOnly)) {
      await assert.doesNotReject(call(forms.keyId), `${op} must accept a key id`)
      await assert.doesNotReject(call(forms.keyArn), `${op} must accept a key ARN`)
      await refused(call(forms.aliasName), 'NotFoundException', /Invalid keyId/)
      await refused(call(forms.aliasArn), 'NotFoundException', /Invalid keyId/)
    }
    const blob = (await t.kms.encrypt({ keyId: forms.keyId, plaintext: bytes('x') })).ciphertextBlob
    for (const ref of Object.values(forms)) {
      assert.equal(text((await t.kms.decrypt({ ciphertextBlob: blob, keyId: ref })).plaintext), 'x')
    }
    await refused(
      t.kms.describeKey({ keyId: 'not-a-key' }),
      'NotFoundException',
      /Invalid keyId 'not-a-key'/,
    )
    await refused(
      t.kms.describeKey({ keyId: 'alias/missing' }),
      'NotFoundException',
      /alias\/missing is not found/,
    )
    await refused(
      t.kms.describeKey({ keyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${forms.keyId}` }),
      'NotFoundException',
      /Invalid arn us-west-2/,
    )
  })

  test('encrypt and decrypt with context; limits as AWS states them', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const context = { Record: 'User/123' }
    const enc = await t.kms.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('hello'),
      encryptionContext: context,
    })
    assert.equal(enc.keyId, keyMetadata.arn)
    const dec = await t.kms.decrypt({
      ciphertextBlob: enc.ciphertextBlob,
      encryptionContext: context,
    })
    assert.equal(text(dec.plaintext), 'hello')
    assert.equal(dec.keyId, keyMetadata.arn)
    assert.match(dec.keyMaterialId, /^[0-9a-f]{64}$/)
    await refused(
      t.kms.decrypt({ ciphertextBlob: enc.ciphertextBlob }),
      'InvalidCiphertextException',
    )
    await refused(
      t.kms.decrypt({
        ciphertextBlob: enc.ciphertextBlob,
        encryptionContext: { Record: 'User/124' },
      }),
      'InvalidCiphertextException',
    )
    await refused(
      t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: new Uint8Array(4097) }),
      'ValidationException',
      /less than or equal to 4096/,
    )
    await refused(
      t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: new Uint8Array(0) }),
      'ValidationException',
      /greater than or equal to 1/,
    )
    await assert.doesNotReject(
      t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: new Uint8Array(4096) }),
    )
    await refused(
      t.kms.generateDataKey({ keyId: keyMetadata.keyId }),
      'ValidationException',
      /either number of bytes or key spec/,
    )
    await refused(
      t.kms.generateDataKey({ keyId: keyMetadata.keyId, keySpec: 'AES_256', numberOfBytes: 32 }),
      'ValidationException',
    )
    await refused(
      t.kms.generateDataKey({ keyId: keyMetadata.keyId, numberOfBytes: 1025 }),
      'ValidationException',
    )
    const dk = await t.kms.generateDataKey({
      keyId: keyMetadata.keyId,
      keySpec: 'AES_128',
      encryptionContext: context,
    })
    assert.equal(dk.plaintext.length, 16)
    assert.deepEqual(
      (await t.kms.decrypt({ ciphertextBlob: dk.ciphertextBlob, encryptionContext: context }))
        .plaintext,
      dk.plaintext,
    )
    await refused(t.kms.generateRandom({}), 'ValidationException', /NumberOfBytes is required/)
    assert.equal((await t.kms.generateRandom({ numberOfBytes: 1024 })).plaintext.length, 1024)
  })

  test('{"ab":"c"} and {"a":"bc"} are different contexts', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const enc = await t.kms.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('x'),
      encryptionContext: { ab: 'c' },
    })
    await refused(
      t.kms.decrypt({ ciphertextBlob: enc.ciphertextBlob, encryptionContext: { a: 'bc' } }),
      'InvalidCiphertextException',
    )
  })

  test('every single-byte flip of a ciphertext blob is InvalidCiphertextException', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const { ciphertextBlob } = await t.kms.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('flip me'),
      encryptionContext: { k: 'v' },
    })
    for (let i = 0; i < ciphertextBlob.length; i++) {
      const bad = Uint8Array.from(ciphertextBlob)
      bad[i]! ^= 0x01
      await refused(
        t.kms.decrypt({ ciphertextBlob: bad, encryptionContext: { k: 'v' } }),
        'InvalidCiphertextException',
      )
    }
    await refused(
      t.kms.decrypt({
        ciphertextBlob: ciphertextBlob.subarray(0, ciphertextBlob.length - 1),
        encryptionContext: { k: 'v' },
      }),
      'InvalidCiphertextException',
    )
  })

  test('an AWS Encryption SDK message handed to Decrypt is named for what it is', async () => {
    const esdk = Uint8Array.from([0x02, 0x04, 0x78, ...randomBytes(64)])
    await refused(
      t.kms.decrypt({ ciphertextBlob: esdk }),
      'InvalidCiphertextException',
      /AWS Encryption SDK message/,
    )
  })

  test('Decrypt with another KeyId is IncorrectKeyException', async () => {
    const a = (await t.kms.createKey({})).keyMetadata
    const b = (await t.kms.createKey({})).keyMetadata
    const { ciphertextBlob } = await t.kms.encrypt({ keyId: a.keyId, plaintext: bytes('x') })
    await refused(
      t.kms.decrypt({ ciphertextBlob, keyId: b.arn }),
      'IncorrectKeyException',
      /does not identify a CMK/,
    )
  })

  test('ReEncrypt moves a blob to another key and context', async () => {
    const a = (await t.kms.createKey({})).keyMetadata
    const b = (await t.kms.createKey({})).keyMetadata
    const { ciphertextBlob } = await t.kms.encrypt({
      keyId: a.keyId,
      plaintext: bytes('move'),
      encryptionContext: { v: '1' },
    })
    const re = await t.kms.reEncrypt({
      ciphertextBlob,
      sourceEncryptionContext: { v: '1' },
      destinationKeyId: b.arn,
      destinationEncryptionContext: { v: '2' },
    })
    assert.equal(re.sourceKeyId, a.arn)
    assert.equal(re.keyId, b.arn)
    assert.equal(
      text(
        (await t.kms.decrypt({ ciphertextBlob: re.ciphertextBlob, encryptionContext: { v: '2' } }))
          .plaintext,
      ),
      'move',
    )
    await refused(
      t.kms.reEncrypt({ ciphertextBlob, destinationKeyId: b.arn }),
      'InvalidCiphertextException',
    )
  })

  test('disabled and pending-deletion keys are refused; enable and cancel restore', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const keyId = keyMetadata.keyId
    const { ciphertextBlob } = await t.kms.encrypt({ keyId, plaintext: bytes('x') })
    await t.kms.disableKey({ keyId })
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.keyState, 'Disabled')
    await refused(
      t.kms.encrypt({ keyId, plaintext: bytes('x') }),
      'DisabledException',
      /is disabled/,
    )
    await refused(t.kms.decrypt({ ciphertextBlob }), 'DisabledException')
    await t.kms.enableKey({ keyId })
    await assert.doesNotReject(t.kms.decrypt({ ciphertextBlob }))
    await refused(
      t.kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 6 }),
      'ValidationException',
    )
    await refused(
      t.kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 31 }),
      'ValidationException',
    )
    const scheduled = await t.kms.scheduleKeyDeletion({ keyId })
    assert.equal(scheduled.pendingWindowInDays, 30)
    assert.equal(scheduled.keyState, 'PendingDeletion')
    await refused(t.kms.decrypt({ ciphertextBlob }), 'KMSInvalidStateException', /pending deletion/)
    await refused(t.kms.enableKey({ keyId }), 'KMSInvalidStateException')
    await t.kms.cancelKeyDeletion({ keyId })
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.keyState, 'Disabled')
    await refused(t.kms.cancelKeyDeletion({ keyId }), 'KMSInvalidStateException')
  })

  test('a key scheduled for deletion is gone with its aliases once the window has passed', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    await t.kms.createAlias({ aliasName: 'alias/doomed', targetKeyId: keyMetadata.keyId })
    await t.kms.scheduleKeyDeletion({ keyId: keyMetadata.keyId, pendingWindowInDays: 7 })
    t.clock.advance(7 * DAY - 1000)
    assert.equal(
      (await t.kms.describeKey({ keyId: 'alias/doomed' })).keyMetadata.keyState,
      'PendingDeletion',
    )
    t.clock.advance(2000)
    await refused(
      t.kms.describeKey({ keyId: keyMetadata.keyId }),
      'NotFoundException',
      /does not exist/,
    )
    await refused(t.kms.describeKey({ keyId: 'alias/doomed' }), 'NotFoundException')
    const listed = await t.kms.listAliases({})
    assert.ok(!listed.aliases.some((a) => a.aliasName === 'alias/doomed'))
    assert.ok(
      !(await t.kms.listKeys({ limit: 1000 })).keys.some((k) => k.keyId === keyMetadata.keyId),
    )
  })

  test('three rotations: the first blob still decrypts, new blobs use the newest version', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const keyId = keyMetadata.keyId
    const first = await t.kms.generateDataKey({ keyId, keySpec: 'AES_256' })
    await t.kms.enableKeyRotation({ keyId, rotationPeriodInDays: 90 })
    const status = await t.kms.getKeyRotationStatus({ keyId })
    assert.equal(status.keyRotationEnabled, true)
    assert.equal(status.rotationPeriodInDays, 90)
    t.clock.advance(91 * DAY)
    await t.kms.rotateKeyOnDemand({ keyId })
    t.clock.advance(90 * DAY)
    const rotations = await t.kms.listKeyRotations({ keyId })
    assert.deepEqual(
      rotations.rotations.map((r) => r.rotationType),
      ['AUTOMATIC', 'ON_DEMAND', 'AUTOMATIC'],
    )
    const newest = rotations.rotations.at(-1)!.keyMaterialId
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.currentKeyMaterialId, newest)
    const old = await t.kms.decrypt({ ciphertextBlob: first.ciphertextBlob })
    assert.deepEqual(old.plaintext, first.plaintext)
    assert.equal(old.keyMaterialId, first.keyMaterialId)
    assert.notEqual(first.keyMaterialId, newest)
    assert.equal((await t.kms.generateDataKey({ keyId, keySpec: 'AES_256' })).keyMaterialId, newest)
    await refused(
      t.kms.enableKeyRotation({ keyId, rotationPeriodInDays: 89 }),
      'ValidationException',
    )
    await refused(
      t.kms.enableKeyRotation({ keyId, rotationPeriodInDays: 2561 }),
      'ValidationException',
    )
  })

  test('on-demand rotation stops at AWS limit and near a scheduled rotation', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    for (let i = 0; i < MAX_ON_DEMAND_ROTATIONS; i++)
      await t.kms.rotateKeyOnDemand({ keyId: keyMetadata.keyId })
    await refused(t.kms.rotateKeyOnDemand({ keyId: keyMetadata.keyId }), 'LimitExceededException')
    const other = (await t.kms.createKey({})).keyMetadata
    await t.kms.enableKeyRotation({ keyId: other.keyId, rotationPeriodInDays: 90 })
    t.clock.advance(90 * DAY - 10 * 60_000)
    await refused(t.kms.rotateKeyOnDemand({ keyId: other.keyId }), 'ConflictException')
  })

  test('external key material: pending import, import, expiry, re-import', async () => {
    const { keyMetadata } = await t.kms.createKey({ origin: 'EXTERNAL' })
    const keyId = keyMetadata.keyId
    assert.equal(keyMetadata.keyState, 'PendingImport')
    await refused(
      t.kms.encrypt({ keyId, plaintext: bytes('x') }),
      'KMSInvalidStateException',
      /pending import/,
    )
    const params = await t.kms.getParametersForImport({
      keyId,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
    })
    const material = randomBytes(32)
    const wrap = (m: Uint8Array, publicKey: Uint8Array) =>
      new Uint8Array(
        publicEncrypt(
          {
            key: createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }),
            padding: constants.RSA_PKCS1_OAEP_PADDING,
            oaepHash: 'sha256',
          },
          m,
        ),
      )
    await refused(
      t.kms.importKeyMaterial({
        keyId,
        importToken: params.importToken,
        encryptedKeyMaterial: wrap(material, params.publicKey),
      }),
      'ValidationException',
      /validTo date must be set/,
    )
    await refused(
      t.kms.importKeyMaterial({
        keyId,
        importToken: randomBytes(32),
        encryptedKeyMaterial: wrap(material, params.publicKey),
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
      'InvalidImportTokenException',
    )
    const validTo = new Date(t.clock.now().getTime() + 10 * DAY)
    await t.kms.importKeyMaterial({
      keyId,
      importToken: params.importToken,
      encryptedKeyMaterial: wrap(material, params.publicKey),
      validTo,
    })
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.keyState, 'Enabled')
    const { ciphertextBlob } = await t.kms.encrypt({ keyId, plaintext: bytes('imported') })
    await refused(
      t.kms.enableKeyRotation({ keyId }),
      'UnsupportedOperationException',
      /origin is EXTERNAL/,
    )
    t.clock.advance(11 * DAY)
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.keyState, 'PendingImport')
    await refused(t.kms.decrypt({ ciphertextBlob }), 'KMSInvalidStateException')
    const again = await t.kms.getParametersForImport({
      keyId,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      wrappingKeySpec: 'RSA_2048',
    })
    const wrap1 = new Uint8Array(
      publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(again.publicKey), format: 'der', type: 'spki' }),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: 'sha1',
        },
        randomBytes(32),
      ),
    )
    await refused(
      t.kms.importKeyMaterial({
        keyId,
        importToken: again.importToken,
        encryptedKeyMaterial: wrap1,
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
      'IncorrectKeyMaterialException',
    )
    const wrapSame = new Uint8Array(
      publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(again.publicKey), format: 'der', type: 'spki' }),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: 'sha1',
        },
        material,
      ),
    )
    await t.kms.importKeyMaterial({
      keyId,
      importToken: again.importToken,
      encryptedKeyMaterial: wrapSame,
      expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    })
    assert.equal(text((await t.kms.decrypt({ ciphertextBlob })).plaintext), 'imported')
    t.clock.advance(2 * DAY)
    await refused(
      t.kms.importKeyMaterial({
        keyId,
        importToken: params.importToken,
        encryptedKeyMaterial: wrap(material, params.publicKey),
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
      'ExpiredImportTokenException',
    )
    await t.kms.deleteImportedKeyMaterial({ keyId })
    assert.equal((await t.kms.describeKey({ keyId })).keyMetadata.keyState, 'PendingImport')
    const aws = (await t.kms.createKey({})).keyMetadata
    await refused(
      t.kms.getParametersForImport({
        keyId: aws.keyId,
        wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        wrappingKeySpec: 'RSA_2048',
      }),
      'UnsupportedOperationException',
      /origin is AWS_KMS/,
    )
  })

  test('key policies: key users encrypt, administrators manage, conditions hold, denials say who and what', async () => {
    const admin = { principal: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT }
    const user = { principal: `arn:aws:iam::${ACCOUNT}:user/app`, accountId: ACCOUNT }
    const policy = keyPolicyFor({
      accountId: ACCOUNT,
      admins: [admin.principal],
      users: [user.principal],
    })
    const { keyMetadata } = await t.kms.createKey({ policy })
    const asAdmin = t.provider.forCaller(admin)
    const asUser = t.provider.forCaller(user)
    const { ciphertextBlob } = await asUser.encrypt({
      keyId: keyMetadata.keyId,
      plaintext: bytes('x'),
    })
    await assert.doesNotReject(asUser.decrypt({ ciphertextBlob }))
    await refused(
      asUser.scheduleKeyDeletion({ keyId: keyMetadata.keyId }),
      'AccessDeniedException',
      /user\/app is not authorized to perform: kms:ScheduleKeyDeletion/,
    )
    await refused(
      asAdmin.decrypt({ ciphertextBlob }),
      'AccessDeniedException',
      /user\/admin is not authorized to perform: kms:Decrypt/,
    )
    await refused(
      t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: bytes('x') }),
      'AccessDeniedException',
    )
    const conditional = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotLike: { 'kms:EncryptionContext:Record': 'User/*' } },
        },
      ],
    })
    await asAdmin.putKeyPolicy({ keyId: keyMetadata.keyId, policy: conditional })
    const blob = (
      await asUser.encrypt({
        keyId: keyMetadata.keyId,
        plaintext: bytes('x'),
        encryptionContext: { Record: 'Order/1' },
      })
    ).ciphertextBlob
    await refused(
      asUser.decrypt({ ciphertextBlob: blob, encryptionContext: { Record: 'Order/1' } }),
      'AccessDeniedException',
      /explicit deny/,
    )
    const ok = (
      await asUser.encrypt({
        keyId: keyMetadata.keyId,
        plaintext: bytes('x'),
        encryptionContext: { Record: 'User/1' },
      })
    ).ciphertextBlob
    await assert.doesNotReject(
      asUser.decrypt({ ciphertextBlob: ok, encryptionContext: { Record: 'User/1' } }),
    )
    await refused(
      t.kms.putKeyPolicy({ keyId: keyMetadata.keyId, policy: '{"Version":"2012-10-17"}' }),
      'MalformedPolicyDocumentException',
    )
    const refusals = [
      ...t.audit.query({ outcome: 'AccessDeniedException', keyArn: keyMetadata.arn }),
    ]
    assert.ok(refusals.some((e) => e.principal === admin.principal && e.operation === 'Decrypt'))
  })

  test('aliases, tags and pagination', async () => {
    const a = (await t.kms.createKey({ tags: [{ tagKey: 'team', tagValue: 'core' }] })).keyMetadata
    const b = (await t.kms.createKey({})).keyMetadata
    await t.kms.createAlias({ aliasName: 'alias/moving', targetKeyId: a.keyId })
    await refused(
      t.kms.createAlias({ aliasName: 'alias/moving', targetKeyId: b.keyId }),
      'AlreadyExistsException',
    )
    await refused(
      t.kms.createAlias({ aliasName: 'alias/aws/x', targetKeyId: b.keyId }),
      'InvalidAliasNameException',
    )
    await refused(
      t.kms.createAlias({ aliasName: 'nope', targetKeyId: b.keyId }),
      'ValidationException',
    )
    await t.kms.updateAlias({ aliasName: 'alias/moving', targetKeyId: b.keyId })
    assert.equal((await t.kms.describeKey({ keyId: 'alias/moving' })).keyMetadata.keyId, b.keyId)
    assert.deepEqual(
      (await t.kms.listAliases({ keyId: b.keyId })).aliases.map((x) => x.aliasName),
      ['alias/moving'],
    )
    await t.kms.deleteAlias({ aliasName: 'alias/moving' })
    await refused(t.kms.deleteAlias({ aliasName: 'alias/moving' }), 'NotFoundException')
    await refused(
      t.kms.tagResource({ keyId: a.keyId, tags: [{ tagKey: 'aws:x', tagValue: 'y' }] }),
      'TagException',
      /reserved/,
    )
    await refused(
      t.kms.tagResource({
        keyId: a.keyId,
        tags: [
          { tagKey: 'd', tagValue: '1' },
          { tagKey: 'd', tagValue: '2' },
        ],
      }),
      'TagException',
      /Duplicate/,
    )
    await t.kms.tagResource({
      keyId: a.keyId,
      tags: [
        { tagKey: 'team', tagValue: 'platform' },
        { tagKey: 'env', tagValue: 'dev' },
      ],
    })
    await t.kms.untagResource({ keyId: a.keyId, tagKeys: ['env'] })
    assert.deepEqual((await t.kms.listResourceTags({ keyId: a.keyId })).tags, [
      { tagKey: 'team', tagValue: 'platform' },
    ])
    await refused(
      t.kms.tagResource({
        keyId: a.keyId,
        tags: Array.from({ length: 50 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' })),
      }),
      'TagException',
      /Too many/,
    )
    const all = new Set<string>()
    let marker: string | undefined
    let pages = 0
    do {
      const page = await t.kms.listKeys({ limit: 2, ...(marker === undefined ? {} : { marker }) })
      page.keys.forEach((k) => all.add(k.keyId))
      marker = page.nextMarker
      assert.equal(page.truncated, marker !== undefined)
      pages++
    } while (marker !== undefined)
    assert.ok(pages > 1)
    assert.equal(all.size, (await t.kms.listKeys({ limit: 1000 })).keys.length)
    await refused(t.kms.listKeys({ marker: 'garbage' }), 'InvalidMarkerException')
    await refused(t.kms.listKeys({ limit: 0 }), 'ValidationException')
  })
})
