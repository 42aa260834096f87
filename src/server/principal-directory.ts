/** A principal as the server needs it to check a signature and to name the caller. */
export interface PrincipalCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** `arn:aws:iam::<account>:user/<name>` */
  arn: string
  accountId: string
}

/**
 * Where the server looks up the secret behind an access key id. Read on every request, so a
 * removed principal is refused at once.
 */
export interface PrincipalDirectory {
  findByAccessKeyId(accessKeyId: string): PrincipalCredentials | undefined
}
