import { accountRepository } from '../accounts/repository.js';
import { hashPassword } from '../accounts/password.js';
import { citizenRepository } from '../citizens/repository.js';
import { profileRepository } from '../citizens/profile-repository.js';
import type { Executor } from '../db/transaction.js';

/**
 * The demo's citizen login, printed by `guichet start`: a mother of two with a verified account,
 * an address and a household, so that forms show "dites-le-nous une fois" prefill at once.
 */
export const DEMO_CITIZEN = {
  email: 'camille.lefevre@demo-sur-loire.example',
  password: 'demo-guichet-2026',
  civility: 'Mme' as const,
  firstNames: 'Camille',
  lastName: 'Lefèvre',
  birthDate: '1986-09-14',
  phone: '+33612345678',
  address: { line1: '12 rue des Tilleuls', postcode: '99100', city: 'Démo-sur-Loire', country: 'FR' },
  household: [
    { role: 'adult' as const, relationship: 'conjoint', firstNames: 'Julien', lastName: 'Lefèvre', birthDate: '1984-02-03' },
    { role: 'child' as const, relationship: 'enfant', firstNames: 'Léa', lastName: 'Lefèvre', birthDate: '2019-05-21' },
    { role: 'child' as const, relationship: 'enfant', firstNames: 'Hugo', lastName: 'Lefèvre', birthDate: '2022-11-08' },
  ],
};

export async function seedDemoCitizenAccount(trx: Executor, organisationId: number, now: string): Promise<number> {
  const c = DEMO_CITIZEN;
  const citizenId = await citizenRepository.insert(
    trx,
    organisationId,
    { civility: c.civility, firstNames: c.firstNames, lastName: c.lastName, birthDate: c.birthDate },
    'declared',
    null,
    now,
  );
  await citizenRepository.insertContacts(trx, citizenId, { email: c.email, phone: c.phone, address: c.address }, { source: 'portal_account' }, now);
  await accountRepository.insert(trx, { citizenId, organisationId, email: c.email, passwordHash: await hashPassword(c.password) }, now);
  await accountRepository.markEmailVerified(trx, citizenId, now);
  const householdId = await profileRepository.ensureHousehold(trx, citizenId, `Foyer ${c.lastName}`, now);
  for (const member of c.household) await profileRepository.addMember(trx, householdId, member, now);
  return citizenId;
}
