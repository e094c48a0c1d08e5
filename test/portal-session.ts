import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../src/db/database.js';
import { SESSION_COOKIE, VISITOR_COOKIE } from '../src/portal/session.js';

const now = () => new Date().toISOString();

export interface TestCitizen {
  citizenId: number;
  email: string;
  /** Cookie header of a signed-in browser (session and visitor cookies). */
  cookie: string;
  /** The CSRF value forms of that browser carry (read from any portal page, see `csrfOf`). */
  visitor: string;
}

/**
 * A citizen with a verified account and a signed-in browser, written straight to the tables so
 * tests of other pages do not depend on the sign-up pages.
 */
export async function signedInCitizen(
  db: Db,
  organisationId: number,
  who: { email?: string; firstNames?: string; lastName?: string; householdId?: number | null } = {},
): Promise<TestCitizen> {
  const email = (who.email ?? `usager-${randomBytes(4).toString('hex')}@exemple.fr`).toLowerCase();
  const citizen = await db.kysely
    .insertInto('citizens')
    .values({
      organisation_id: organisationId,
      civility: 'Mme',
      birth_name: who.lastName ?? 'Martin',
      usage_name: null,
      first_names: who.firstNames ?? 'Claire',
      birth_date: '1985-04-12',
      identity_assurance: 'declared',
      household_id: who.householdId ?? null,
      possible_duplicate_of: null,
      gender: null,
      birth_place: null,
      birth_country: null,
      created_at: now(),
      updated_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely.insertInto('citizen_emails').values({ citizen_id: citizen.id, email, is_primary: 1, verified_at: now() }).execute();
  await db.kysely
    .insertInto('citizen_accounts')
    .values({ citizen_id: citizen.id, organisation_id: organisationId, email, password_hash: null, email_verified_at: now(), created_at: now(), updated_at: now() })
    .execute();
  const browser = await signInAs(db, citizen.id);
  return { citizenId: citizen.id, email, ...browser };
}

/** A signed-in browser for an existing citizen. */
export async function signInAs(db: Db, citizenId: number): Promise<{ cookie: string; visitor: string }> {
  const token = randomBytes(32).toString('base64url');
  const visitor = randomBytes(18).toString('base64url');
  await db.kysely
    .insertInto('portal_sessions')
    .values({
      id: createHash('sha256').update(token).digest('base64url'),
      citizen_id: citizenId,
      method: 'password',
      id_token: null,
      user_agent: 'vitest',
      ip: '127.0.0.1',
      created_at: now(),
      last_seen_at: now(),
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    })
    .execute();
  return { cookie: `${SESSION_COOKIE}=${token}; ${VISITOR_COOKIE}=${visitor}`, visitor };
}

/** The `_csrf` value of the first form of a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf input on this page');
  return match[1]!;
}
