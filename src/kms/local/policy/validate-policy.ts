import { compilePolicy } from './compile-policy.js'

/**
 * Checks a key policy document as PutKeyPolicy and CreateKey must: a JSON object of at most
 * 32 KiB with a Version and a non-empty Statement list of well-formed statements. Throws
 * `MalformedPolicyDocumentException` saying what is wrong.
 */
export function validatePolicy(policyJson: string): void {
  compilePolicy(policyJson)
}
