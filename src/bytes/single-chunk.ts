/** Bytes already in memory as a one-chunk stream, for APIs that take an async iterable. */
export async function* singleChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}
