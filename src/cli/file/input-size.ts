import { stat } from 'node:fs/promises'
import { SealboxError } from '../../errors/index.js'

/**
 * The size of an input file, checked before any key is used: a folder is refused with a hint,
 * a missing file fails as not found. Pipes and devices are read as streams (size 0: no bar).
 */
export async function inputSize(path: string, command: 'encrypt' | 'decrypt'): Promise<number> {
  const info = await stat(path)
  if (info.isDirectory()) {
    throw new SealboxError('UsageError', `'${path}' is a folder, not a file`, {
      hint:
        command === 'encrypt'
          ? `to seal a folder, stream it as a tar: tar c ${path} | sealbox encrypt - -o archive.tar.sealed`
          : 'give the sealed file to decrypt',
    })
  }
  return info.isFile() ? info.size : 0
}
