/**
 * Bounds a decryptor enforces while parsing, before any key is requested: each encrypted data
 * key can cost a KMS call, and the frame length sets the memory held per frame.
 */
export interface DecodeLimits {
  readonly maxEncryptedDataKeys: number
  readonly maxHeaderBytes: number
  readonly maxFrameLength: number
  /** Accept non-committing suites and non-framed bodies (older writers). */
  readonly allowLegacy: boolean
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxEncryptedDataKeys: 10,
  maxHeaderBytes: 64 * 1024,
  maxFrameLength: 4 * 1024 * 1024,
  allowLegacy: false,
}

/** The largest frame length an encryptor writes (the default decode limit, so sealbox reads it back). */
export const MAX_FRAME_LENGTH = DEFAULT_LIMITS.maxFrameLength
