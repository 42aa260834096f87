/** The key ARNs of a `sealbox-keys` metadata value (space-separated). */
export function splitKeys(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((k) => k !== '')
}
