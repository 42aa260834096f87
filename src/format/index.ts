export {
  algorithmSuite,
  suiteHex,
  SUITE_COMMIT,
  SUITE_COMMIT_SIGNED,
  IV_BYTES,
  TAG_BYTES,
  type AlgorithmSuite,
} from './algorithm-suite.js'
export { DEFAULT_LIMITS, MAX_FRAME_LENGTH, type DecodeLimits } from './decode-limits.js'
export {
  parseHeader,
  serializeHeader,
  serializeHeaderBody,
  serializeHeaderAuth,
  CONTENT_FRAMED,
  CONTENT_NON_FRAMED,
  type MessageHeader,
  type EncryptedDataKey,
  type HeaderFields,
  type HeaderParseResult,
} from './message-header.js'
export { deriveMessageKey, verifyCommitment } from './key-schedule.js'
export { headerTag, verifyHeaderTag } from './header-auth.js'
export { BodyAad } from './body-aad.js'
export {
  FrameSealer,
  FrameChunker,
  REGULAR_FRAME_OVERHEAD,
  FINAL_FRAME_OVERHEAD,
} from './frame-sealer.js'
export { BodyDecoder } from './body-decoder.js'
export { serializeFooter } from './footer.js'
export {
  beginSeal,
  beginOpen,
  PUBLIC_KEY_CONTEXT_KEY,
  type SealParams,
  type SealSession,
} from './message-session.js'
