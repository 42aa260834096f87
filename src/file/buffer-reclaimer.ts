import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Gc = (options?: { type?: 'minor' | 'major' }) => void

let gc: Gc | undefined | null = null

/**
 * Every cipher call returns a fresh Buffer (node:crypto has no "update into"), so a file loop
 * leaves a steady trail of frame-sized garbage outside the JS heap. V8 collects it only after
 * ~64 MiB of such external memory has piled up, which alone would push peak RSS past 100 MiB.
 * A young-generation collection every few MiB frees it early at little cost.
 */
export class BufferReclaimer {
  private since = 0

  constructor(private readonly everyBytes = 16 * 1024 * 1024) {}

  /** Counts processed bytes; collects young garbage each time `everyBytes` have passed. */
  add(bytes: number): void {
    this.since += bytes
    if (this.since < this.everyBytes) return
    this.since = 0
    collectYoung()
  }
}

function collectYoung(): void {
  if (gc === null) {
    try {
      setFlagsFromString('--expose-gc')
      gc = runInNewContext('gc') as Gc
    } catch {
      gc = undefined
    }
  }
  gc?.({ type: 'minor' })
}
