/** The vector set's manifest: raw AES keys (public test keys, never used for real data) and cases. */
export interface VectorManifest {
  producer: string
  generator: string
  keys: Array<{ keyNamespace: string; keyName: string; key: string }>
  cases: VectorCase[]
}

export interface VectorCase {
  id: string
  suiteId: string
  /** A non-committing (version 1) suite: readable only with the legacy option. */
  legacy: boolean
  frameLength: number
  plaintextLength: number
  encryptionContext: Record<string, string>
  /** Key names (from `keys`) the message was wrapped under; the first generated the data key. */
  keys: string[]
  plaintextSha256: string
  messageSha256: string
}

export const VECTOR_KEYS = [
  { keyNamespace: 'sealbox-vectors', keyName: 'aes-256', key: Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64') },
  { keyNamespace: 'sealbox-vectors', keyName: 'aes-128', key: Buffer.from(Array.from({ length: 16 }, (_, i) => 0xa0 + i)).toString('base64') },
]
