/** How a process reaches S3, read from the environment (the SDK adds credentials and region). */
export interface S3Settings {
  /** `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`; unset means AWS itself. */
  endpoint: string | undefined
  region: string | undefined
  /** Path-style addressing: `SEALBOX_S3_FORCE_PATH_STYLE=1`, or an IP-address / localhost endpoint. */
  forcePathStyle: boolean
  /**
   * Whether the store honours If-None-Match / If-Match: `SEALBOX_S3_CONDITIONAL_WRITES=1|0`;
   * else yes for AWS (no custom endpoint, or an amazonaws.com one); else unknown (`undefined`),
   * to be probed once per process.
   */
  conditionalWrites: boolean | undefined
}

export function s3Settings(env: NodeJS.ProcessEnv, region?: string): S3Settings {
  const endpoint = env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined
  const host = endpoint === undefined ? undefined : hostOf(endpoint)
  const declared = env['SEALBOX_S3_CONDITIONAL_WRITES']
  let conditionalWrites: boolean | undefined
  if (declared === '1' || declared === 'true') conditionalWrites = true
  else if (declared === '0' || declared === 'false') conditionalWrites = false
  else if (host === undefined || host.endsWith('.amazonaws.com')) conditionalWrites = true
  const forced = env['SEALBOX_S3_FORCE_PATH_STYLE']
  return {
    endpoint,
    region: region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined),
    forcePathStyle:
      forced === '1' || forced === 'true' || (host !== undefined && isLocalOrAddress(host)),
    conditionalWrites,
  }
}

function hostOf(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

function isLocalOrAddress(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host.startsWith('[')) return true // IPv6 literal
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host)
}
