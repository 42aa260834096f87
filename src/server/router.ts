import { fromWire, toWire } from '../kms/wire/index.js'
import { callKms, type KmsInput, type KmsOperationName, type KmsPort } from '../kms/types/index.js'
import { zero } from '../bytes/index.js'
import { checkInput } from './input-schema.js'
import { OPERATION_INPUTS } from './operations.js'

export const TARGET_PREFIX = 'TrentService.'

/** `TrentService.Encrypt` → `Encrypt`; undefined for anything that is not an operation of the port. */
export function operationFor(target: string | undefined): KmsOperationName | undefined {
  if (target === undefined || !target.startsWith(TARGET_PREFIX)) return undefined
  const name = target.slice(TARGET_PREFIX.length)
  return Object.hasOwn(OPERATION_INPUTS, name) ? (name as KmsOperationName) : undefined
}

/**
 * A request body checked against the operation's shape, as the port's input. Throws
 * `SerializationException` or `ValidationException`.
 */
export function inputFor<Op extends KmsOperationName>(op: Op, body: unknown): KmsInput<Op> {
  return fromWire(checkInput(OPERATION_INPUTS[op], body)) as KmsInput<Op>
}

/**
 * Runs one operation and returns the response body: AWS JSON, or '' for operations that have no
 * output. Plaintext in the output is zeroed once it has been encoded.
 */
export async function dispatch<Op extends KmsOperationName>(
  kms: KmsPort,
  op: Op,
  input: KmsInput<Op>,
): Promise<string> {
  const output = (await callKms(kms, op, input)) as Record<string, unknown>
  if (Object.keys(output).length === 0) return ''
  const json = JSON.stringify(toWire(output))
  if (output['plaintext'] instanceof Uint8Array) zero(output['plaintext'])
  return json
}
