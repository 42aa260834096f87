/** Overwrites secret bytes (data keys, key material) once they are no longer needed. */
export function zero(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0)
}
