// One of several OS processes hammering one keystore: creates keys, encrypts, decrypts and moves
// shared aliases, then prints how many KMS calls it made.
import { openLocalKms } from '../../src/cli/runtime/local-kms.js'
import { isSealboxError } from '../../src/errors/index.js'

const [home, worker, rounds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])]
const settings = {
  home,
  kms: 'local' as const,
  keyId: undefined,
  kmsEndpoint: undefined,
  region: undefined,
  secretsLocation: undefined,
}
const local = openLocalKms(settings, { SEALBOX_ACCOUNT_ID: '000000000000' })
let calls = 0
const defaultKey = await local.defaultKeyId()
for (let i = 0; i < rounds; i++) {
  const { keyMetadata } = await local.kms.createKey({ description: `w${worker}-${i}` })
  const context = { worker: String(worker), round: String(i) }
  const { ciphertextBlob } = await local.kms.encrypt({
    keyId: keyMetadata.keyId,
    plaintext: new TextEncoder().encode(`${worker}:${i}`),
    encryptionContext: context,
  })
  const { plaintext } = await local.kms.decrypt({ ciphertextBlob, encryptionContext: context })
  if (new TextDecoder().decode(plaintext) !== `${worker}:${i}`)
    throw new Error('round trip mismatch')
  const dk = await local.kms.generateDataKey({ keyId: defaultKey, keySpec: 'AES_256' })
  await local.kms.decrypt({ ciphertextBlob: dk.ciphertextBlob })
  calls += 5
  const alias = `alias/shared-${i % 3}`
  try {
    await local.kms.createAlias({ aliasName: alias, targetKeyId: keyMetadata.keyId })
  } catch (e) {
    if (!isSealboxError(e, 'AlreadyExistsException')) throw e
    await local.kms.updateAlias({ aliasName: alias, targetKeyId: keyMetadata.keyId })
    calls++
  }
  calls++
}
local.close()
process.stdout.write(JSON.stringify({ worker, calls }))
