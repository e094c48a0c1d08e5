import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../db/transaction.js';
import { AppError } from '../http/errors.js';
import { tokenRepository } from './repository.js';

/**
 * What an integration token may be allowed to do. `open311` is the api_key of a street-report
 * application (GeoReport v2 POSTs); `channels:read` reads the channels' health.
 */
export const SCOPES = ['cases:read', 'cases:write', 'workflows:write', 'open311', 'channels:read'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenPrincipal {
  kind: 'token';
  tokenId: number;
  organisationId: number;
  name: string;
  scopes: string[];
}

const PREFIX = 'gui_';

// Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a token and returns its only plaintext copy; the database keeps a hash. */
export async function createToken(db: Executor, organisationId: number, name: string, scopes: string[]): Promise<{ id: number; token: string }> {
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`Portée(s) inconnue(s) : ${unknown.join(', ')}. Portées possibles : ${SCOPES.join(', ')}.`);
  if (scopes.length === 0) throw new Error(`Indiquez au moins une portée parmi : ${SCOPES.join(', ')}.`);
  const token = PREFIX + randomBytes(32).toString('base64url');
  const id = await tokenRepository.insert(db, organisationId, name, hashToken(token), scopes, new Date().toISOString());
  return { id, token };
}

/** Resolves a bearer token; refuses a missing, unknown or revoked one the same way. */
export async function authenticateToken(db: Executor, token: string | undefined): Promise<TokenPrincipal> {
  if (!token || !token.startsWith(PREFIX)) throw new AppError('unauthenticated', 'Fournissez un jeton d’API valide dans l’en-tête Authorization: Bearer.');
  const found = await tokenRepository.findActiveByHash(db, hashToken(token));
  if (!found) throw new AppError('unauthenticated', 'Ce jeton d’API est inconnu ou révoqué.');
  const now = new Date();
  // Recording every use would add a write to every read; once a minute tells an admin enough.
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > 60_000) await tokenRepository.touch(db, found.id, now.toISOString());
  return { kind: 'token', tokenId: found.id, organisationId: found.organisationId, name: found.name, scopes: found.scopes };
}

/** Asserts the principal holds a scope. */
export function requireScope(principal: TokenPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) throw new AppError('forbidden', `Ce jeton n’a pas la portée « ${scope} ».`);
}

/** A token still valid, by id: sessions opened with a token end when it is revoked. */
export async function activeTokenById(db: Executor, id: number): Promise<TokenPrincipal | undefined> {
  const found = await tokenRepository.findActiveById(db, id);
  return found ? { kind: 'token', tokenId: found.id, organisationId: found.organisationId, name: found.name, scopes: found.scopes } : undefined;
}
