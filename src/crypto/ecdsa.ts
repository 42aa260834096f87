import {
  createPublicKey,
  createSign,
  createVerify,
  ECDH,
  generateKeyPairSync,
  type KeyObject,
  type Sign,
  type Verify,
} from 'node:crypto'
import { SealboxError } from '../errors/index.js'

export type EcdsaCurve = 'P-256' | 'P-384'

const CURVES: Record<
  EcdsaCurve,
  { openssl: string; hash: 'sha256' | 'sha384'; coordinateBytes: number }
> = {
  'P-256': { openssl: 'prime256v1', hash: 'sha256', coordinateBytes: 32 },
  'P-384': { openssl: 'secp384r1', hash: 'sha384', coordinateBytes: 48 },
}

/** An ECDSA private key with its public key as a SEC1 compressed point (what messages carry). */
export class EcdsaSigningKey {
  private constructor(
    readonly curve: EcdsaCurve,
    private readonly privateKey: KeyObject,
    readonly publicKey: Uint8Array,
  ) {}

  static generate(curve: EcdsaCurve): EcdsaSigningKey {
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: CURVES[curve].openssl,
    })
    const jwk = publicKey.export({ format: 'jwk' })
    const uncompressed = Buffer.concat([
      Buffer.of(4),
      Buffer.from(jwk.x!, 'base64url'),
      Buffer.from(jwk.y!, 'base64url'),
    ])
    const compressed = ECDH.convertKey(
      uncompressed,
      CURVES[curve].openssl,
      undefined,
      undefined,
      'compressed',
    )
    return new EcdsaSigningKey(curve, privateKey, new Uint8Array(compressed as Buffer))
  }

  /** A streaming signer: feed it every signed byte with `update`, then `sign()` once. */
  signer(): EcdsaSigner {
    return new EcdsaSigner(this.curve, this.privateKey)
  }
}

export class EcdsaSigner {
  private readonly sign: Sign
  constructor(
    curve: EcdsaCurve,
    private readonly key: KeyObject,
  ) {
    this.sign = createSign(CURVES[curve].hash)
  }

  update(bytes: Uint8Array): void {
    this.sign.update(bytes)
  }

  /** The DER-encoded ECDSA-Sig-Value. */
  finish(): Uint8Array {
    return new Uint8Array(this.sign.sign({ key: this.key, dsaEncoding: 'der' }))
  }
}

export class EcdsaVerifier {
  private readonly verify: Verify
  private readonly key: KeyObject

  /** Throws `failCode` when the compressed point is not a point of the curve. */
  constructor(
    curve: EcdsaCurve,
    compressedPublicKey: Uint8Array,
    failCode: 'SignatureInvalid' | 'NotAMessage' = 'SignatureInvalid',
  ) {
    const c = CURVES[curve]
    if (compressedPublicKey.length !== c.coordinateBytes + 1) {
      throw new SealboxError(
        failCode,
        `the ${curve} public key has ${compressedPublicKey.length} bytes, not ${c.coordinateBytes + 1}`,
      )
    }
    try {
      const point = ECDH.convertKey(
        compressedPublicKey,
        c.openssl,
        undefined,
        undefined,
        'uncompressed',
      ) as Buffer
      this.key = createPublicKey({
        key: {
          kty: 'EC',
          crv: curve,
          x: point.subarray(1, 1 + c.coordinateBytes).toString('base64url'),
          y: point.subarray(1 + c.coordinateBytes).toString('base64url'),
        },
        format: 'jwk',
      })
    } catch (cause) {
      throw new SealboxError(failCode, `the ${curve} public key is not a valid curve point`, {
        cause,
      })
    }
    this.verify = createVerify(c.hash)
  }

  update(bytes: Uint8Array): void {
    this.verify.update(bytes)
  }

  /** True when `signature` (DER) signs every byte given to `update`. */
  finish(signature: Uint8Array): boolean {
    try {
      return this.verify.verify({ key: this.key, dsaEncoding: 'der' }, signature)
    } catch {
      return false
    }
  }
}
