import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../accounts/password.js';
import type { Db } from '../../db/database.js';
import type { AgentRoleTable } from '../../db/schema.js';
import { AppError, notFound } from '../../http/errors.js';
import { agentSessionRepository } from '../session-repository.js';
import { adminRepository, type AgentSummary } from './repository.js';

/**
 * What an administrator does to agents' accounts. A new agent, or one whose password is reset,
 * gets a random password shown once to the administrator, who hands it over; the agent changes it
 * from « Mon compte ». Deactivating an agent, resetting their second factor or their password ends
 * every session of theirs at once.
 */
export type RoleAssignment = { departmentId: number; role: AgentRoleTable['role'] };

/** A password nobody has to type often: 16 random characters, readable aloud (no 0/O, 1/l). */
export function initialPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12), chars.slice(12, 16)].map((g) => g.join('')).join('-');
}

export async function createAgent(db: Db, organisationId: number, a: { email: string; name: string; roles: RoleAssignment[] }): Promise<{ agentId: number; password: string }> {
  const password = initialPassword();
  const passwordHash = await hashPassword(password);
  const agentId = await db.kysely.transaction().execute(async (trx) => {
    const id = await adminRepository.insertAgent(trx, { organisationId, email: a.email, name: a.name, passwordHash, now: new Date().toISOString() });
    await adminRepository.replaceRoles(trx, id, a.roles);
    return id;
  });
  return { agentId, password };
}

/** The agent of this organisation, or not found (another organisation's agent does not exist here). */
export async function agentOf(db: Db, organisationId: number, agentId: number): Promise<AgentSummary> {
  const agent = Number.isSafeInteger(agentId) ? await adminRepository.findAgent(db.kysely, organisationId, agentId) : undefined;
  if (!agent) throw notFound('Aucun agent de ce numéro.');
  return agent;
}

/** Replaces an agent's roles; an administrator cannot take their own admin role away (nobody could give it back). */
export async function setRoles(db: Db, organisationId: number, adminId: number, agentId: number, roles: RoleAssignment[]): Promise<void> {
  const agent = await agentOf(db, organisationId, agentId);
  if (agent.id === adminId && !roles.some((r) => r.role === 'admin')) {
    throw new AppError('forbidden', 'Vous ne pouvez pas retirer votre propre rôle d’administrateur.');
  }
  await adminRepository.replaceRoles(db.kysely, agent.id, roles);
}

export async function setAgentActive(db: Db, organisationId: number, adminId: number, agentId: number, active: boolean): Promise<void> {
  const agent = await agentOf(db, organisationId, agentId);
  if (agent.id === adminId && !active) throw new AppError('forbidden', 'Vous ne pouvez pas désactiver votre propre compte.');
  await db.kysely.transaction().execute(async (trx) => {
    await adminRepository.setActive(trx, agent.id, active);
    if (!active) await agentSessionRepository.revokeAllOf(trx, agent.id, new Date().toISOString());
  });
}

/** Removes the agent's TOTP: they enrol again at their next sign-in (lost phone). */
export async function resetTotp(db: Db, organisationId: number, agentId: number): Promise<void> {
  const agent = await agentOf(db, organisationId, agentId);
  await db.kysely.transaction().execute(async (trx) => {
    await adminRepository.clearTotp(trx, agent.id);
    await agentSessionRepository.revokeAllOf(trx, agent.id, new Date().toISOString());
  });
}

/** A new random password, shown once to the administrator. */
export async function resetPassword(db: Db, organisationId: number, agentId: number): Promise<string> {
  const agent = await agentOf(db, organisationId, agentId);
  const password = initialPassword();
  const hash = await hashPassword(password);
  await db.kysely.transaction().execute(async (trx) => {
    await adminRepository.setPasswordHash(trx, agent.id, hash);
    await agentSessionRepository.revokeAllOf(trx, agent.id, new Date().toISOString());
  });
  return password;
}
