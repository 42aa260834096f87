import { SealboxError } from '../../errors/index.js'
import type { ObjectStore } from '../types/index.js'

export const S3ObjectStore = {
  open(_options: {
    bucket: string
    region?: string
    env?: NodeJS.ProcessEnv
  }): Promise<ObjectStore> {
    return Promise.reject(new SealboxError('InternalError', 's3:// stores are not available yet'))
  },
}
