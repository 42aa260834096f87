/** How often a write that lost a conditional create is tried again before giving up. */
export const MAX_ATTEMPTS = 25
