import { hashPassword } from '../accounts/password.js';
import { agentAuthRepository } from '../backoffice/auth/repository.js';
import { totpUri } from '../backoffice/auth/totp.js';
import { phoneRepository } from '../channels/phone/repository.js';
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

/** The demo agents' telephone extensions start here (the admin, first of the list, has 201). */
export const DEMO_FIRST_EXTENSION = 201;

/** The otpauth URI of the demo admin's second factor (what a QR code would hold). */
export const demoAdminTotpUri = () => totpUri(DEMO_ADMIN_TOTP_SECRET, DEMO_ADMIN_EMAIL);

/** Gives every demo agent the demo password (hashed once: the seed stays fast), an extension, and the admin their TOTP. */
export async function seedDemoAgentAccounts(trx: Executor, organisationId: number, now: string): Promise<void> {
  const passwordHash = await hashPassword(DEMO_AGENT_PASSWORD);
  for (const [index, demo] of DEMO_AGENTS.entries()) {
    const agent = await agentAuthRepository.findByEmail(trx, organisationId, demo.email);
    if (!agent) continue;
    await agentAuthRepository.setPasswordHash(trx, agent.id, passwordHash);
    // Extensions 201, 202… in the order of the list: a test PBX can ring any demo agent.
    await phoneRepository.setExtension(trx, agent.id, String(DEMO_FIRST_EXTENSION + index));
  }
  const admin = await agentAuthRepository.findByEmail(trx, organisationId, DEMO_ADMIN_EMAIL);
  if (admin) {
    await agentAuthRepository.setPendingTotpSecret(trx, admin.id, DEMO_ADMIN_TOTP_SECRET);
    await agentAuthRepository.enableTotp(trx, admin.id, now);
  }
}
