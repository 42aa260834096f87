import { SealboxError } from '../errors/index.js'
import { printable } from './secret-path.js'

export function secretNotFound(path: string, location: string): SealboxError {
  return new SealboxError('SecretNotFound', `no secret '${printable(path)}' in ${location}`, {
    hint: "list the secrets with 'sealbox secrets ls'",
  })
}

export function secretDeleted(path: string, version: number): SealboxError {
  return new SealboxError(
    'SecretNotFound',
    `secret '${printable(path)}' was deleted (version ${version} is a deletion marker)`,
    {
      hint: `its earlier versions remain: 'sealbox secrets history ${path}', then 'sealbox secrets rollback ${path} N'`,
    },
  )
}

export function secretContended(path: string): SealboxError {
  return new SealboxError(
    'ConflictException',
    `secret '${printable(path)}' kept changing while it was written; nothing was lost, try again`,
  )
}
