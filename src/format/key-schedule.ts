import { concatBytes, constantTimeEqual, utf8 } from '../bytes/index.js'
import { hkdf } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import type { AlgorithmSuite } from './algorithm-suite.js'

const DERIVE_KEY = utf8('DERIVEKEY')
const COMMIT_KEY = utf8('COMMITKEY')

function suiteIdBytes(suite: AlgorithmSuite): Uint8Array {
  return Uint8Array.of(suite.id >> 8, suite.id & 0xff)
}

/**
 * The per-message key and, for committing suites, the commit key (transitive-requirements.md,
 * "HKDF Encryption Key"; framework/algorithm-suites.md):
 *  - committing: PRK = HKDF-Extract(SHA-512, salt = message id, IKM = data key);
 *    key = Expand(PRK, suite id ‖ "DERIVEKEY", 32); commit key = Expand(PRK, "COMMITKEY", 32).
 *    The commit info has no suite-id prefix.
 *  - legacy HKDF: salt empty (zeros), info = suite id ‖ message id.
 *  - legacy identity: the data key itself.
 * The caller owns both results and zeroes them.
 */
export function deriveMessageKey(
  suite: AlgorithmSuite,
  dataKey: Uint8Array,
  messageId: Uint8Array,
): { key: Uint8Array; commitKey: Uint8Array | undefined } {
  if (dataKey.length !== suite.keyBytes) {
    throw new SealboxError(
      'InternalError',
      `the data key has ${dataKey.length} bytes, the suite needs ${suite.keyBytes}`,
    )
  }
  if (suite.kdf.kind === 'identity') return { key: new Uint8Array(dataKey), commitKey: undefined }
  if (suite.commitment) {
    return {
      key: hkdf(
        suite.kdf.hash,
        dataKey,
        messageId,
        concatBytes(suiteIdBytes(suite), DERIVE_KEY),
        suite.keyBytes,
      ),
      commitKey: hkdf(suite.kdf.hash, dataKey, messageId, COMMIT_KEY, 32),
    }
  }
  return {
    key: hkdf(
      suite.kdf.hash,
      dataKey,
      new Uint8Array(0),
      concatBytes(suiteIdBytes(suite), messageId),
      suite.keyBytes,
    ),
    commitKey: undefined,
  }
}

/**
 * Checks the header's commit key against the one derived from the unwrapped data key, in
 * constant time, before the derived key is used for anything (client-apis/decrypt.md).
 */
export function verifyCommitment(
  suite: AlgorithmSuite,
  stored: Uint8Array,
  derived: Uint8Array | undefined,
): void {
  if (!suite.commitment) return
  if (derived === undefined || !constantTimeEqual(stored, derived)) {
    throw new SealboxError(
      'KeyCommitmentMismatch',
      'the data key does not match the key commitment in the message header: the message was altered or built to decrypt differently under different keys',
    )
  }
}
