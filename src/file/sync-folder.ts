import { open } from 'node:fs/promises'

/** Makes the names in a folder durable (a rename or link into it survives a power loss). */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const h = await open(folder, 'r')
    try {
      await h.sync()
    } finally {
      await h.close()
    }
  } catch {
    // some file systems cannot sync a folder; the rename itself is atomic
  }
}
