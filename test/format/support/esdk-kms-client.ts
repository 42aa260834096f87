import { fromWire, toWire } from '../../../src/kms/wire/index.js'
import type { KmsPort } from '../../../src/kms/types/index.js'

type Aws = Record<string, unknown>

/** SDK v3 values carry blobs as bytes; the wire shape carries them as base64 strings. */
function bytesToBase64(value: Aws): Aws {
  const out: Aws = {}
  for (const [k, v] of Object.entries(value))
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v
  return out
}

function base64ToBytes(value: Aws, blobs: string[]): Aws {
  const out: Aws = { ...value }
  for (const k of blobs)
    if (typeof out[k] === 'string') out[k] = new Uint8Array(Buffer.from(out[k], 'base64'))
  return out
}

/**
 * The three KMS client methods the official SDK's KMS keyring calls (`generateDataKey`,
 * `encrypt`, `decrypt`, in the SDK v3 aggregated-client shape: PascalCase, bytes), served by any
 * sealbox KMS port through the AWS wire mapping.
 */
export function esdkKmsClient(port: KmsPort): {
  generateDataKey: (input: Aws) => Promise<Aws>
  encrypt: (input: Aws) => Promise<Aws>
  decrypt: (input: Aws) => Promise<Aws>
} {
  const call = async (
    op: 'generateDataKey' | 'encrypt' | 'decrypt',
    input: Aws,
    blobs: string[],
  ): Promise<Aws> => {
    const request = fromWire(bytesToBase64(input)) as never
    const response = await (port[op] as (i: never) => Promise<unknown>)(request)
    return base64ToBytes(toWire(response) as Aws, blobs)
  }
  return {
    generateDataKey: (input) => call('generateDataKey', input, ['Plaintext', 'CiphertextBlob']),
    encrypt: (input) => call('encrypt', input, ['CiphertextBlob']),
    decrypt: (input) => call('decrypt', input, ['Plaintext']),
  }
}
