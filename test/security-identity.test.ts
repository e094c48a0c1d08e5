/**
 * Issue 13, identity binding (ADR 0002): the attacks of the audit, performed for real, now get
 * nothing. Declared input (an anonymous form, the API, a phone number typed anywhere) never binds
 * to an existing record nor adds a contact to one; a portal account binds only through an address
 * a record holds as verified; the tracking page greets with what was typed, never a matched name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmEmail, signUp, type AccountOrganisation } from '../src/accounts/service.js';
import { matchOrCreateCitizen } from '../src/citizens/matching.js';
import { profileRepository } from '../src/citizens/profile-repository.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';
import { signedInCitizen, signInAs } from './portal-session.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let organisation: AccountOrganisation;

const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });
const now = () => new Date().toISOString();

/** A street report through THE intake, as the portal's anonymous form sends it (channel web, no citizenId). */
async function anonymousReport(citizen: Record<string, unknown> | null, description: string, channel: 'web' | 'counter' = 'web') {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel,
    actor: { type: 'citizen', id: null },
    citizen,
    data: { categorie: 'eclairage', description },
    hiddenFields: 'drop',
  });
  return receipt;
}

const page = (cookie: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
const contactsOf = async (citizenId: number) => ({
  emails: (await db.kysely.selectFrom('citizen_emails').select('email').where('citizen_id', '=', citizenId).execute()).map((r) => r.email),
  phones: (await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', citizenId).execute()).map((r) => r.phone),
  addresses: (await db.kysely.selectFrom('citizen_addresses').select('line1').where('citizen_id', '=', citizenId).execute()).map((r) => r.line1),
});
const recordOf = (citizenId: number) => db.kysely.selectFrom('citizens').selectAll().where('id', '=', citizenId).executeTakeFirstOrThrow();

/** Signs up through the accounts service and follows the link of the verification mail, as the attacker would. */
async function signUpAndConfirm(email: string, firstNames: string, lastName: string): Promise<number> {
  await signUp(db, organisation, { email, password: 'cheval agrafe pile correcte', firstNames, lastName });
  const mail = await db.kysely.selectFrom('outgoing_mails').select('body_text').where('recipient', '=', email).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const token = /jeton=([A-Za-z0-9_-]+)/.exec(mail.body_text)?.[1];
  expect(token).toBeDefined();
  const citizenId = await confirmEmail(db, token!);
  expect(citizenId).toBeDefined();
  return citizenId!;
}

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  organisation = { id: commune.organisationId, organisationName: 'Ville-Test', publicUrl: 'https://ville-test.fr' };
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('takeover of a record without any account', () => {
  it('an anonymous « identified » report with the victim’s name and phone, then a sign-up with the attacker’s address, gets nothing of the victim', async () => {
    // The victim: registered at the counter (no account), with a birth date, an address, a household and a case.
    const victimCase = await anonymousReport(
      { civility: 'Mme', firstNames: 'Sophie', lastName: 'Lambert', birthDate: '1979-03-14', phone: '06 98 76 54 32', address: { line1: '8 impasse des Tilleuls', postcode: '99000', city: 'Ville-Test' } },
      'Lampadaire éteint devant chez moi',
      'counter',
    );
    const victimId = victimCase.citizen!.id;
    const householdId = await profileRepository.ensureHousehold(db.kysely, victimId, 'Foyer Lambert', now());
    await profileRepository.addMember(db.kysely, householdId, { role: 'child', relationship: 'enfant', firstNames: 'Théodule', lastName: 'Lambert', birthDate: '2015-06-01' }, now());
    const before = await contactsOf(victimId);

    // The attack, step 1: the anonymous form in « identified » mode, the victim's name and phone, the attacker's address.
    const attackerEmail = 'pirate@exemple.fr';
    const planted = await anonymousReport({ firstNames: 'Sophie', lastName: 'Lambert', phone: '06 98 76 54 32', email: attackerEmail }, 'Juste pour voir');
    expect(planted.citizen!.id).not.toBe(victimId);
    expect(planted.citizen).toMatchObject({ matchedBy: 'created', possibleDuplicateOf: victimId });
    expect(await contactsOf(victimId)).toEqual(before);

    // Step 2: a portal sign-up with that address, confirmed.
    const attackerId = await signUpAndConfirm(attackerEmail, 'Sophie', 'Lambert');
    expect(attackerId).not.toBe(victimId);
    const { cookie } = await signInAs(db, attackerId);

    const myCases = await page(cookie, '/mes-demandes');
    expect(myCases.statusCode).toBe(200);
    expect(myCases.body).not.toContain(victimCase.reference);
    for (const url of ['/mon-espace/profil', '/mon-espace/foyer', '/mon-espace/mes-donnees.json']) {
      const res = await page(cookie, url);
      expect(res.statusCode, url).toBe(200);
      for (const secret of ['1979', 'Tilleuls', 'Théodule', '98 76 54 32', '+33698765432']) expect(res.body, `${url} shows ${secret}`).not.toContain(secret);
    }
    // The victim's record gained no contact, lost nothing, and is not the account's.
    expect(await contactsOf(victimId)).toEqual(before);
    expect(await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('citizen_id', '=', victimId).executeTakeFirst()).toBeUndefined();
  });
});

describe('planting a request in someone’s « Mes demandes »', () => {
  it('an anonymous portal report or an API request carrying only the victim’s e-mail or phone lands on a record of its own, flagged', async () => {
    const victim = await signedInCitizen(db, commune.organisationId, { email: 'victoire.delacour@exemple.fr', firstNames: 'Victoire', lastName: 'Delacour' });
    await db.kysely.insertInto('citizen_phones').values({ citizen_id: victim.citizenId, phone: '+33611112222', is_primary: 1, source: 'counter', verified_at: now(), verified_how: 'agent' }).execute();
    const before = await contactsOf(victim.citizenId);

    const byPortal = await anonymousReport({ email: victim.email }, 'Déposé au nom de quelqu’un d’autre');
    const byPortalPhone = await anonymousReport({ phone: '06 11 11 22 22', email: 'autre@exemple.fr' }, 'Avec son numéro');
    const byApi = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${commune.tokens.write}`, 'content-type': 'application/json' },
      payload: { procedure: 'signalement-voirie', channel: 'counter', citizen: { firstNames: 'Victoire', lastName: 'Delacour', email: victim.email }, data: { categorie: 'eclairage', description: 'Par l’API' } },
    });
    expect(byApi.statusCode).toBe(201);
    const apiReceipt = byApi.json<{ reference: string; citizen: { id: number; possibleDuplicateOf: number | null } }>();

    for (const receipt of [byPortal, byPortalPhone, apiReceipt]) {
      expect(receipt.citizen!.id).not.toBe(victim.citizenId);
      expect(receipt.citizen!.possibleDuplicateOf).toBe(victim.citizenId);
      expect((await recordOf(receipt.citizen!.id)).possible_duplicate_of).toBe(victim.citizenId);
    }
    const list = await page(victim.cookie, '/mes-demandes');
    expect(list.statusCode).toBe(200);
    for (const reference of [byPortal.reference, byPortalPhone.reference, apiReceipt.reference]) expect(list.body).not.toContain(reference);
    expect(await contactsOf(victim.citizenId)).toEqual(before);
  });

  it('an API request cannot pass itself off as verified: the intake’s contacts from the API are declared', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${commune.tokens.write}`, 'content-type': 'application/json' },
      payload: { procedure: 'signalement-voirie', citizen: { email: 'api-declare@exemple.fr' }, data: { categorie: 'eclairage', description: 'x' }, citizenId: 1 },
    });
    // An unknown property is refused (the body schema is closed), never taken as a binding.
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${commune.tokens.write}`, 'content-type': 'application/json' },
      payload: { procedure: 'signalement-voirie', citizen: { email: 'api-declare@exemple.fr' }, data: { categorie: 'eclairage', description: 'x' } },
    });
    const id = ok.json<{ citizen: { id: number } }>().citizen.id;
    expect(await db.kysely.selectFrom('citizen_emails').select(['source', 'verified_at']).where('citizen_id', '=', id).execute()).toEqual([{ source: 'api', verified_at: null }]);
  });
});

describe('what an unauthenticated submitter sees', () => {
  it('the tracking page and the acknowledgment greet with nothing but what was typed', async () => {
    const victim = await signedInCitizen(db, commune.organisationId, { email: 'berenice.fontaine@exemple.fr', firstNames: 'Bérénice', lastName: 'Fontaine' });
    const receipt = await anonymousReport({ email: victim.email }, 'Qui êtes-vous ?');
    const tracking = await app.inject({ method: 'GET', url: `/suivi/${receipt.trackingCode}` });
    expect(tracking.statusCode).toBe(200);
    expect(tracking.body).toContain(receipt.reference);
    expect(tracking.body).not.toContain('Bérénice');
    expect(tracking.body).not.toContain('Fontaine');
    const json = await app.inject({ method: 'GET', url: `/api/v1/tracking/${receipt.trackingCode}` });
    expect(json.body).not.toContain('Fontaine');
    const ack = await db.kysely.selectFrom('messages').select(['recipient', 'body_text']).where('case_id', '=', receipt.caseId).where('direction', '=', 'out').executeTakeFirstOrThrow();
    expect(ack.recipient).toBe(victim.email);
    expect(ack.body_text).toContain('Madame, Monsieur');
    expect(ack.body_text).not.toContain('Fontaine');

    // A name typed is the submitter's own, and is what they are greeted with.
    const named = await anonymousReport({ firstNames: 'Paul', lastName: 'Inventé', email: victim.email }, 'Avec un nom');
    const namedAck = await db.kysely.selectFrom('messages').select('body_text').where('case_id', '=', named.caseId).where('direction', '=', 'out').executeTakeFirstOrThrow();
    expect(namedAck.body_text).toContain('Bonjour Paul Inventé');
    expect(namedAck.body_text).not.toContain('Fontaine');
  });
});

describe('verified paths still bind', () => {
  it('a sign-up binds to the record holding its address as verified (FranceConnect), not to one where it was only typed', async () => {
    const verified = await anonymousReport({ firstNames: 'Honoré', lastName: 'Verrier', email: 'honore.verrier@exemple.fr' }, 'Avant FranceConnect');
    await db.kysely
      .updateTable('citizen_emails')
      .set({ verified_at: now(), verified_how: 'franceconnect' })
      .where('citizen_id', '=', verified.citizen!.id)
      .execute();
    expect(await signUpAndConfirm('honore.verrier@exemple.fr', 'Honoré', 'Verrier')).toBe(verified.citizen!.id);

    const declared = await anonymousReport({ firstNames: 'Irène', lastName: 'Declaree', email: 'irene.declaree@exemple.fr' }, 'Adresse seulement tapée');
    const fresh = await signUpAndConfirm('irene.declaree@exemple.fr', 'Irène', 'Declaree');
    expect(fresh).not.toBe(declared.citizen!.id);
    // Confirming the address made it a verified contact of the account's record, from the portal account.
    expect(await db.kysely.selectFrom('citizen_emails').select(['email', 'source', 'verified_how']).where('citizen_id', '=', fresh).execute()).toEqual([
      { email: 'irene.declaree@exemple.fr', source: 'portal_account', verified_how: 'portal_account' },
    ]);
    // Now verified there, the address binds the citizen's next verified input to that record.
    const next = await matchOrCreateCitizen(db.kysely, commune.organisationId, { identity: {}, contacts: { email: 'irene.declaree@exemple.fr' }, origin: { source: 'email_channel', verified: { email: 'dmarc' } } }, now());
    expect(next).toEqual({ citizenId: fresh, by: 'email', possibleDuplicateOf: null });
  });

  it('a verified contact binds only through a record holding it verified; a declared holder gets a flagged duplicate', async () => {
    const declared = await anonymousReport({ firstNames: 'Jules', lastName: 'Tapé', email: 'jules.tape@exemple.fr' }, 'Déclaré');
    const match = await matchOrCreateCitizen(db.kysely, commune.organisationId, { identity: {}, contacts: { email: 'jules.tape@exemple.fr' }, origin: { source: 'email_channel', verified: { email: 'dmarc' } } }, now());
    expect(match).toMatchObject({ by: 'created', possibleDuplicateOf: declared.citizen!.id });
    expect(match.citizenId).not.toBe(declared.citizen!.id);
    expect(await db.kysely.selectFrom('citizen_emails').select(['source', 'verified_how']).where('citizen_id', '=', match.citizenId).execute()).toEqual([{ source: 'email_channel', verified_how: 'dmarc' }]);
  });
});
