import type { KmsInput, KmsOperationName, KmsOutput } from '../../types/index.js'
import type { Call, Engine } from '../engine.js'

/** One KMS operation of the embedded KMS: synchronous, since the keystore is SQLite in-process. */
export type Handler<Op extends KmsOperationName> = (
  engine: Engine,
  call: Call,
  input: KmsInput<Op>,
) => KmsOutput<Op>

export type Handlers<Ops extends KmsOperationName = KmsOperationName> = { [Op in Ops]: Handler<Op> }
