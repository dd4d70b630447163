export { accessExtension, installAccess, isAccessEnabled, tokenPath, type AuthConfig, type InstallAccessOptions } from './extension.js';
export { requestAccess, type AuthMethod, type RequestAccess } from './request-access.js';
export { allActions, expandActions, parseActions, type Action } from './actions.js';
export { matchesPattern, parsePattern } from './patterns.js';
export type { AccessStore, Account, AccountKind, Grant } from './store.js';
export { SqliteAccessStore } from './sqlite-store.js';
export { PostgresAccessStore } from './postgres-store.js';
export { loadOrCreatePostgresSigningKey } from './postgres-signing-key.js';
export {
  accountName,
  addAccount,
  grantAccess,
  openAccessStore,
  parseGrant,
  removeAccount,
  revokeAccess,
  robotPrefix,
  setPassword,
  type AddAccountOptions,
} from './accounts.js';
export { ensureAdmin, type AdminBootstrap } from './bootstrap.js';
export { generateSigningKey, loadOrCreateSigningKey, signingKeyFrom, type SigningKey } from './signing-key.js';
export { TokenService, type AccessEntry, type IssuedToken, type TokenServiceOptions, type VerifiedToken } from './tokens.js';
