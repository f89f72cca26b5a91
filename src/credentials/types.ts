// The credential vocabulary the API, the gateway and the credentials store share.

/** How a partner sends its secret: `?token=` in the URL, HTTP Basic, or `Authorization: Bearer`. */
export const CREDENTIAL_TYPES = ['token', 'basic', 'bearer'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** A credential as listed: never its secret, never its hash. Times are RFC 3339. */
export interface CredentialInfo {
  id: string;
  type: CredentialType;
  username?: string;
  created: string;
  last_used?: string;
}

/** A credential just issued: the one time its secret is shown. */
export interface IssuedCredential extends CredentialInfo {
  secret: string;
}
