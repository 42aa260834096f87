import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto'

export type RsaOaepHash = 'sha1' | 'sha256'

/** A fresh RSA key pair: public key as DER SubjectPublicKeyInfo, private key as DER PKCS#8. */
export function generateRsaKeyPair(modulusBits: number): {
  publicKey: Uint8Array
  privateKey: Uint8Array
} {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: modulusBits,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  })
  return { publicKey: new Uint8Array(publicKey), privateKey: new Uint8Array(privateKey) }
}

/** RSAES-OAEP (MGF1 with the same hash) or PKCS#1 v1.5 decryption with a DER PKCS#8 private key. */
export function rsaDecrypt(
  privateKeyDer: Uint8Array,
  ciphertext: Uint8Array,
  padding: RsaOaepHash | 'pkcs1',
): Uint8Array {
  const key = { key: Buffer.from(privateKeyDer), format: 'der' as const, type: 'pkcs8' as const }
  const out =
    padding === 'pkcs1'
      ? privateDecrypt({ ...key, padding: constants.RSA_PKCS1_PADDING }, ciphertext)
      : privateDecrypt(
          { ...key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: padding },
          ciphertext,
        )
  return new Uint8Array(out)
}
