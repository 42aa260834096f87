import type { ErrorCode } from '../errors/index.js'

/** Named exit codes, so scripts can tell a tampered file from a missing key from a typo. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  integrity: 4,
  denied: 5,
  conflict: 6,
  keyState: 7,
  io: 8,
  interrupted: 130,
} as const

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  UsageError: EXIT.usage,
  ValidationException: EXIT.usage,
  ConfigInvalid: EXIT.usage,
  SerializationException: EXIT.usage,
  InvalidAliasNameException: EXIT.usage,
  InvalidArnException: EXIT.usage,
  InvalidMarkerException: EXIT.usage,
  MalformedPolicyDocumentException: EXIT.usage,
  NotFoundException: EXIT.notFound,
  ObjectNotFound: EXIT.notFound,
  SecretNotFound: EXIT.notFound,
  BucketNotFound: EXIT.notFound,
  RecordNotFound: EXIT.notFound,
  RecordShredded: EXIT.notFound,
  InvalidRange: EXIT.usage,
  KeyConflict: EXIT.conflict,
  NotAMessage: EXIT.integrity,
  UnsupportedFormat: EXIT.integrity,
  HeaderAuthFailed: EXIT.integrity,
  KeyCommitmentMismatch: EXIT.integrity,
  FrameAuthFailed: EXIT.integrity,
  SignatureInvalid: EXIT.integrity,
  Truncated: EXIT.integrity,
  TrailingData: EXIT.integrity,
  // a message over the reader's limits is refused before any key is used, like a malformed one
  LimitExceeded: EXIT.integrity,
  ContextMismatch: EXIT.integrity,
  WrongLocation: EXIT.integrity,
  RecordTampered: EXIT.integrity,
  AuditChainBroken: EXIT.integrity,
  InvalidCiphertextException: EXIT.integrity,
  KeystoreCorrupt: EXIT.integrity,
  AccessDeniedException: EXIT.denied,
  IncorrectKeyException: EXIT.denied,
  NoUsableKey: EXIT.denied,
  KeystoreLocked: EXIT.denied,
  UnrecognizedClientException: EXIT.denied,
  InvalidSignatureException: EXIT.denied,
  MissingAuthenticationToken: EXIT.denied,
  IncompleteSignature: EXIT.denied,
  RequestExpired: EXIT.denied,
  PreconditionFailed: EXIT.conflict,
  AlreadyExists: EXIT.conflict,
  AlreadyExistsException: EXIT.conflict,
  ConflictException: EXIT.conflict,
  DisabledException: EXIT.keyState,
  KMSInvalidStateException: EXIT.keyState,
  KeyUnavailableException: EXIT.keyState,
  IoError: EXIT.io,
  Interrupted: EXIT.interrupted,
  // some secrets could not be rotated: the run is resumable, and says which
  RotationIncomplete: EXIT.failure,
}

export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code] ?? EXIT.failure
}
