import { hashPassword } from '../accounts/password.js';
import { agentAuthRepository } from '../backoffice/auth/repository.js';
import { totpUri } from '../backoffice/auth/totp.js';
import type { Executor } from '../db/transaction.js';
import { DEMO_AGENTS } from './commune-data.js';

/**
 * The demo's agent logins, printed by `guichet start`: every demo agent signs in with the same
 * password; the admin, who must have a second factor, has a fixed and published TOTP secret so
 * that anyone trying the demo can add it to an authenticator app (or compute the code with
 * `oathtool --totp -b SECRET`). Demonstration only: never reuse these values.
 */
export const DEMO_AGENT_PASSWORD = 'demo-guichet-2026';
export const DEMO_ADMIN_EMAIL = 'claire.martin@ville-de-demo.fr';
/** Base32, 160 bits: « GUICHET DEMO CLAIRE MARTIN ADMIN XYZQ ». */
export const DEMO_ADMIN_TOTP_SECRET = 'GUICHETDEMOCLAIREMARTINADMINXYZQ';

/** The otpauth URI of the demo admin's second factor (what a QR code would hold). */
export const demoAdminTotpUri = () => totpUri(DEMO_ADMIN_TOTP_SECRET, DEMO_ADMIN_EMAIL);

/** Gives every demo agent the demo password (hashed once: the seed stays fast) and the admin their TOTP. */
export async function seedDemoAgentAccounts(trx: Executor, organisationId: number, now: string): Promise<void> {
  const passwordHash = await hashPassword(DEMO_AGENT_PASSWORD);
  for (const demo of DEMO_AGENTS) {
    const agent = await agentAuthRepository.findByEmail(trx, organisationId, demo.email);
    if (agent) await agentAuthRepository.setPasswordHash(trx, agent.id, passwordHash);
  }
  const admin = await agentAuthRepository.findByEmail(trx, organisationId, DEMO_ADMIN_EMAIL);
  if (admin) {
    await agentAuthRepository.setPendingTotpSecret(trx, admin.id, DEMO_ADMIN_TOTP_SECRET);
    await agentAuthRepository.enableTotp(trx, admin.id, now);
  }
}
