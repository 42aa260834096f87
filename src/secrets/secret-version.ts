/** What is known of one stored version of a secret, without decrypting it. */
export interface SecretVersion {
  path: string
  version: number
  /** A deletion marker (`rm` without `--purge`): the secret reads as absent from this version on. */
  deleted: boolean
  /** Plaintext bytes when the store kept that metadata, otherwise the stored message's size. */
  size: number
  /** Bytes of the stored object (the sealed message). */
  storedSize: number
  modified: Date
  /** ARNs of the KMS keys the version is sealed under; empty for deletion markers or if unknown. */
  keyArns: string[]
  etag: string
}

/** Object metadata written beside each version (S3 user metadata; lower-case names). */
export const META_KEYS = 'sealbox-keys'
export const META_SIZE = 'sealbox-size'
export const META_ROTATION = 'sealbox-rotation'
