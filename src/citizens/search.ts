import type { Executor } from '../db/transaction.js';

/**
 * CONTRACT (owned by the citizens back-office module): citizens matching a query — a name (accents
 * and case ignored), a birth date (JJ/MM/AAAA or AAAA-MM-JJ), an e-mail or a phone number — best
 * matches first. Merged records are left out.
 */
export interface CitizenHit {
  id: number;
  displayName: string;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  identityAssurance: 'declared' | 'franceconnect' | 'counter';
}

export async function searchCitizens(_db: Executor, _organisationId: number, _query: string, _limit = 10): Promise<CitizenHit[]> {
  return [];
}
