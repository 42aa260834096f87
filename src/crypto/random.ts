import { randomBytes as nodeRandomBytes, randomUUID as nodeRandomUUID } from 'node:crypto'

export function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n).buffer, 0, n)
}

export function randomUUID(): string {
  return nodeRandomUUID()
}
