/** The footer of a signed message: u16 signature length ‖ DER signature (data-format/message-footer.md). */
export function serializeFooter(signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + signature.length)
  out[0] = signature.length >> 8
  out[1] = signature.length & 0xff
  out.set(signature, 2)
  return out
}
