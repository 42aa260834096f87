import { SealboxError } from '../errors/index.js'

/** The refusal to replace what is at `path` without `--force`; `more` ends the message. */
export function existsError(path: string, more = ''): SealboxError {
  return new SealboxError('AlreadyExists', `${path} already exists${more}`, {
    hint: 'pass --force to replace it, or give another destination',
  })
}
