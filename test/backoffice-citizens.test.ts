/**
 * Citizens in the back-office: search by name, birth date, e-mail and phone; the 360° view limited
 * to what the agent may see; merging two records; possible duplicates; access log, CSRF and 404.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MergeSnapshot } from '../src/citizens/merge.js';
import { parseCitizenQuery, searchCitizens } from '../src/citizens/search.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase, type IntakeRequest } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeCommune, makeDepartment, makeOrganisation } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const data = { categorie: 'eclairage', description: 'Lampadaire éteint rue Nationale.' };

/** A case through the intake, the way every channel creates one; returns its ids. */
async function newCase(citizen: Record<string, unknown>, overrides: Partial<IntakeRequest> = {}) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris' },
    {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'citizen', id: null },
      citizen,
      data,
      hiddenFields: 'reject',
      ...overrides,
    },
  );
  const row = await db.kysely.selectFrom('cases').select(['id', 'citizen_id', 'reference', 'department_id']).where('id', '=', receipt.caseId).executeTakeFirstOrThrow();
  return { caseId: row.id, citizenId: row.citizen_id!, reference: row.reference, departmentId: row.department_id };
}

describe('citizen search', () => {
  let elodie: number;
  beforeAll(async () => {
    ({ citizenId: elodie } = await newCase({
      civility: 'Mme',
      firstNames: 'Élodie-Marie',
      lastName: 'Lefèvre',
      usageName: 'Dupont',
      birthDate: '1985-02-03',
      email: 'Elodie.Dupont@Exemple.fr',
      phone: '06 12 34 56 78',
    }));
    await newCase({ civility: 'M', firstNames: 'Marc', lastName: 'Dupontel', email: 'marc@exemple.fr' });
  });

  it('reads what was typed', () => {
    expect(parseCitizenQuery('  ')).toEqual({ kind: 'none' });
    expect(parseCitizenQuery('a')).toEqual({ kind: 'none' });
    expect(parseCitizenQuery('ELODIE@exemple.fr')).toEqual({ kind: 'email', email: 'elodie@exemple.fr' });
    expect(parseCitizenQuery('06.12.34.56.78')).toEqual({ kind: 'phone', phone: '+33612345678' });
    expect(parseCitizenQuery('03/02/1985')).toEqual({ kind: 'name', words: [], birthDate: '1985-02-03' });
    expect(parseCitizenQuery('Lefèvre 1985-02-03')).toEqual({ kind: 'name', words: ['lefevre'], birthDate: '1985-02-03' });
    expect(parseCitizenQuery('31/02/1985')).toEqual({ kind: 'none' });
  });

  it.each([
    ['birth name without accents', 'lefevre'],
    ['usage name, upper case', 'DUPONT'],
    ['first names, partial, accents', 'élo lef'],
    ['compound first name part', 'marie dup'],
    ['birth date JJ/MM/AAAA', '03/02/1985'],
    ['birth date AAAA-MM-JJ', '1985-02-03'],
    ['e-mail, any case', 'elodie.dupont@exemple.FR'],
    ['phone, spaced', '06 12 34 56 78'],
    ['phone, dotted', '06.12.34.56.78'],
    ['phone, international', '+33 6 12 34 56 78'],
    ['phone, 0033', '0033612345678'],
  ])('finds a citizen by %s', async (_label, query) => {
    const hits = await searchCitizens(db.kysely, commune.organisationId, query);
    expect(hits.map((h) => h.id)).toContain(elodie);
  });

  it('ranks whole-word matches first and describes each hit', async () => {
    const hits = await searchCitizens(db.kysely, commune.organisationId, 'dupont');
    expect(hits.length).toBe(2);
    expect(hits[0]).toEqual({
      id: elodie,
      displayName: 'Élodie-Marie Dupont (nom de naissance : Lefèvre)',
      birthDate: '1985-02-03',
      email: 'elodie.dupont@exemple.fr',
      phone: '+33612345678',
      address: null,
      identityAssurance: 'declared',
    });
  });

  it('finds a record written without its search name by its plain names', async () => {
    const row = await db.kysely
      .insertInto('citizens')
      .values({ organisation_id: commune.organisationId, civility: null, birth_name: 'Ancienfichier', usage_name: null, first_names: 'Paul', birth_date: null, identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, gender: null, birth_place: null, birth_country: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await searchCitizens(db.kysely, commune.organisationId, 'paul ancienfichier')).map((h) => h.id)).toEqual([row.id]);
  });

  it('finds nobody for another organisation, or a merged record', async () => {
    expect(await searchCitizens(db.kysely, commune.organisationId + 999, 'dupont')).toEqual([]);
    const { citizenId } = await newCase({ firstNames: 'Zoé', lastName: 'Fusionnée', email: 'zoe@exemple.fr' });
    expect(await searchCitizens(db.kysely, commune.organisationId, 'fusionnee')).toHaveLength(1);
    await db.kysely.updateTable('citizens').set({ merged_into_id: elodie }).where('id', '=', citizenId).execute();
    expect(await searchCitizens(db.kysely, commune.organisationId, 'fusionnee')).toEqual([]);
  });
});

// --- Pages ---------------------------------------------------------------------------------

const now = () => new Date().toISOString();

async function get(agent: TestAgent | null, url: string) {
  return app.inject({ method: 'GET', url, headers: agent ? { cookie: agent.cookie } : {} });
}

async function post(agent: TestAgent, url: string, form: Record<string, string>, csrf: string | null = agent.csrf) {
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(csrf === null ? form : { ...form, _csrf: csrf }).toString(),
  });
}

const logOf = (agentId: number) =>
  db.kysely.selectFrom('access_log').select(['action', 'citizen_id', 'detail']).where('agent_id', '=', agentId).orderBy('id').execute();

let roadsAgent: TestAgent;
beforeAll(async () => {
  roadsAgent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { name: 'Agent Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
});

describe('search pages', () => {
  it('sends a signed-out visitor to the sign-in page', async () => {
    const res = await get(null, '/backoffice/usagers?q=dupont');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/backoffice/connexion');
  });

  it('lists hits in a table and logs that a search ran, without its terms', async () => {
    await newCase({ civility: 'M', firstNames: 'Gaëtan', lastName: 'Perrault', email: 'gaetan.perrault@exemple.fr' });
    const res = await get(roadsAgent, '/backoffice/usagers?q=gaetan+perrault');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<caption>1 usager trouvé</caption>');
    expect(res.body).toContain('Gaëtan Perrault');
    expect(res.body).toContain('<th scope="col">Date de naissance</th>');
    const log = await logOf(roadsAgent.agentId);
    expect(log.at(-1)).toEqual({ action: 'search_citizens', citizen_id: null, detail: '1 résultat(s)' });
    expect(JSON.stringify(log)).not.toContain('perrault');
  });

  it('refuses an agent whose roles were all withdrawn', async () => {
    const roleless = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [] });
    for (const url of ['/backoffice/usagers?q=perrault', '/backoffice/usagers/recherche?q=perrault', '/backoffice/usagers/doublons', '/backoffice/usagers/1']) {
      expect((await get(roleless, url)).statusCode, url).toBe(403);
    }
    expect((await post(roleless, '/backoffice/usagers/1/pas-un-doublon', {})).statusCode).toBe(403);
  });

  it('answers an unusable query with an error summary linking to the field', async () => {
    const res = await get(roadsAgent, '/backoffice/usagers?q=x');
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('href="#q"');
    expect(res.body).toContain('aria-invalid="true"');
  });

  it('returns radios `citizenId` for the new request screen', async () => {
    const res = await get(roadsAgent, '/backoffice/usagers/recherche?q=perrault&pour=nouvelle-demande');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).toMatch(/<input type="radio" name="citizenId" id="citizenId-\d+" value="\d+"/);
    expect(res.body).toContain('1 usager trouvé.');
    const empty = await get(roadsAgent, '/backoffice/usagers/recherche?q=');
    expect(empty.body).not.toContain('radio');
  });
});

describe('the 360° view', () => {
  let citizenId: number;
  let visible: Awaited<ReturnType<typeof newCase>>;
  let hidden: Awaited<ReturnType<typeof newCase>>;
  beforeAll(async () => {
    const who = { civility: 'Mme', firstNames: 'Inès', lastName: 'Roussel', birthDate: '1979-11-30', email: 'ines.roussel@exemple.fr', phone: '0612345699', address: { line1: '4 rue des Tanneurs', postcode: '37000', city: 'Tours' } };
    visible = await newCase(who);
    citizenId = visible.citizenId;
    // A dumping report goes to the cleaning sub-department, which a roads agent does not see.
    // Her next requests are bound to her record as a signed-in citizen's are (ADR 0002: a typed e-mail binds nothing).
    hidden = await newCase(who, { citizenId, data: { categorie: 'depot_sauvage', description: 'Dépôt de gravats, secret du service propreté.' } });
    expect(hidden.citizenId).toBe(citizenId);
    expect(hidden.departmentId).toBe(commune.departments.cleaning);
    await newCase(who, { citizenId, channel: 'phone', actor: { type: 'agent', id: '1' } });
    await db.kysely.insertInto('messages').values({ case_id: visible.caseId, direction: 'out', channel: 'email', recipient: who.email, subject: 'Votre signalement', body_text: 'Le lampadaire sera réparé.', body_html: null, status: 'sent', message_id: null, last_error: null, created_at: now(), sent_at: now() }).execute();
    await db.kysely.insertInto('messages').values({ case_id: hidden.caseId, direction: 'out', channel: 'email', recipient: who.email, subject: 'Message du service propreté', body_text: 'Confidentiel propreté.', body_html: null, status: 'sent', message_id: null, last_error: null, created_at: now(), sent_at: now() }).execute();
    await db.kysely.insertInto('satisfaction_answers').values({ case_id: visible.caseId, citizen_id: citizenId, rating: 4, comment: 'Rapide et aimable', created_at: now() }).execute();
    await db.kysely.insertInto('citizen_accounts').values({ citizen_id: citizenId, organisation_id: commune.organisationId, email: who.email, password_hash: 'x', email_verified_at: now(), notify_email: 1, notify_sms: 0, deletion_requested_at: null, created_at: now(), updated_at: now() }).execute();
    const attachmentId = randomUUID();
    await db.kysely.insertInto('attachments').values({ id: attachmentId, organisation_id: commune.organisationId, sha256: 'a'.repeat(64), size: 2048, mime_type: 'application/pdf', filename: 'facture-edf.pdf', case_id: null, citizen_id: citizenId, draft_id: null, message_id: null, created_at: now() }).execute();
    await db.kysely.insertInto('citizen_documents').values({ citizen_id: citizenId, attachment_id: attachmentId, kind: 'justificatif_domicile', label: 'Facture d’électricité', expires_on: '2027-01-31', created_at: now(), deleted_at: null }).execute();
    const household = await db.kysely.insertInto('households').values({ organisation_id: commune.organisationId, name: 'Foyer Roussel', created_at: now() }).returning('id').executeTakeFirstOrThrow();
    await db.kysely.updateTable('citizens').set({ household_id: household.id }).where('id', '=', citizenId).execute();
    await db.kysely.insertInto('household_members').values([
      { household_id: household.id, citizen_id: citizenId, role: 'adult', relationship: null, first_names: 'Inès', last_name: 'Roussel', birth_date: '1979-11-30', created_at: now() },
      { household_id: household.id, citizen_id: null, role: 'child', relationship: 'fille', first_names: 'Lou', last_name: 'Roussel', birth_date: '2015-06-01', created_at: now() },
    ]).execute();
  });

  it('shows identity, contacts, household, the cases the agent may see and counts the others', async () => {
    const res = await get(roadsAgent, `/backoffice/usagers/${citizenId}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1>Inès Roussel</h1>');
    expect(html).toContain(`href="/backoffice/nouvelle-demande?usager=${citizenId}"`);
    expect(html).toContain('Identité déclarée (non vérifiée)');
    expect(html).toContain('30/11/1979');
    // Each contact says in words where it came from and whether it was verified (ADR 0002).
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('ines.roussel@exemple.fr — déclaré, non vérifié — source : formulaire en ligne — principal');
    expect(text).toContain('06 12 34 56 99 — déclaré, non vérifié — source : formulaire en ligne — principal');
    expect(text).toContain('4 rue des Tanneurs, 37000 Tours — déclaré, non vérifié — source : formulaire en ligne — principale');
    expect(html).toContain('Foyer Roussel');
    expect(html).toContain('Lou');
    expect(html).toContain(visible.reference);
    expect(html).toContain('Par téléphone');
    expect(html).toContain('En ligne');
    expect(html).toContain('<caption>2 demandes dans vos services, tous canaux confondus</caption>');
    expect(html).not.toContain(hidden.reference);
    expect(html).toContain('1 autre demande dans d’autres services');
    expect(html).toContain('Le lampadaire sera réparé.');
    expect(html).not.toContain('Confidentiel propreté');
    expect(html).not.toContain('secret du service');
    expect(html).toContain('Justificatif de domicile : Facture d’électricité');
    expect(html).toContain('4 sur 5');
    expect(html).toContain('Rapide et aimable');
    expect(html).toContain('Avis par SMS');
    expect(html).toContain('Non demandée');
    const log = await logOf(roadsAgent.agentId);
    expect(log.at(-1)).toEqual({ action: 'view_citizen', citizen_id: citizenId, detail: null });
  });

  it('answers « not found » for another organisation’s citizen and for a non-number', async () => {
    const elsewhere = await makeOrganisation(db, 'ville-ailleurs');
    const stranger = await db.kysely
      .insertInto('citizens')
      .values({ organisation_id: elsewhere, civility: null, birth_name: 'Autre', usage_name: null, first_names: 'Ville', birth_date: null, identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, gender: null, birth_place: null, birth_country: null, created_at: now(), updated_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const url of [`/backoffice/usagers/${stranger.id}`, '/backoffice/usagers/abc', `/backoffice/usagers/${stranger.id}/fusionner`, `/backoffice/usagers/${citizenId}/fusionner?avec=${stranger.id}`]) {
      const res = await get(roadsAgent, url);
      expect(res.statusCode, url).toBe(404);
    }
  });
});

describe('merging two records', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { name: 'Agent Fusion', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  });

  async function pair() {
    const tag = randomUUID().slice(0, 8);
    // 061… numbers are all valid mobiles (some 069… ranges are not allocated).
    const digits = `1${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const kept = await newCase({ civility: 'M', firstNames: 'Hugo', lastName: `Bernard`, birthDate: '1990-01-15', email: `hugo.${tag}@exemple.fr`, phone: `06${digits}` });
    const merged = await newCase({ civility: 'M', firstNames: 'Hugo', lastName: `Bernart`, email: `hugo.bis.${tag}@exemple.fr`, phone: `06 ${digits.match(/../g)!.join(' ')}`, address: { line1: '1 place Plumereau', postcode: '37000', city: 'Tours' } });
    expect(merged.citizenId).not.toBe(kept.citizenId);
    return { kept, merged, tag, digits };
  }

  it('compares both records side by side', async () => {
    const { kept, merged } = await pair();
    const res = await get(agent, `/backoffice/usagers/${kept.citizenId}/fusionner?avec=${merged.citizenId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<caption>Les deux fiches côte à côte</caption>');
    expect(res.body).toContain('Bernart');
    expect(res.body).toContain(`name="conserver" id="conserver-${kept.citizenId}" value="${kept.citizenId}" checked`);
    const log = await logOf(agent.agentId);
    expect(log.slice(-2).map((l) => l.citizen_id)).toEqual([kept.citizenId, merged.citizenId]);
  });

  it('moves cases, contacts, account and documents in one go, journals each case and keeps a snapshot', async () => {
    const { kept, merged, tag, digits } = await pair();
    await db.kysely.insertInto('citizen_accounts').values({ citizen_id: merged.citizenId, organisation_id: commune.organisationId, email: `hugo.bis.${tag}@exemple.fr`, password_hash: 'x', email_verified_at: null, notify_email: 1, notify_sms: 1, deletion_requested_at: null, created_at: now(), updated_at: now() }).execute();
    const res = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), verification: 'piece', confirmation: 'oui' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/backoffice/usagers/${kept.citizenId}?fusion=ok`);

    const moved = await db.kysely.selectFrom('cases').select('citizen_id').where('id', '=', merged.caseId).executeTakeFirstOrThrow();
    expect(moved.citizen_id).toBe(kept.citizenId);
    const journal = await db.kysely.selectFrom('case_journal').select(['type', 'actor_id', 'payload']).where('case_id', '=', merged.caseId).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(journal.type).toBe('citizen_merged');
    expect(journal.actor_id).toBe(String(agent.agentId));
    expect(JSON.parse(journal.payload)).toMatchObject({ fromCitizenId: merged.citizenId, toCitizenId: kept.citizenId });

    const emails = await db.kysely.selectFrom('citizen_emails').select('email').where('citizen_id', '=', kept.citizenId).orderBy('id').execute();
    expect(emails.map((e) => e.email)).toEqual([`hugo.${tag}@exemple.fr`, `hugo.bis.${tag}@exemple.fr`]);
    const phones = await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', kept.citizenId).execute();
    expect(phones).toEqual([{ phone: `+336${digits}` }]);
    const addresses = await db.kysely.selectFrom('citizen_addresses').select('line1').where('citizen_id', '=', kept.citizenId).execute();
    expect(addresses).toEqual([{ line1: '1 place Plumereau' }]);
    const account = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', `hugo.bis.${tag}@exemple.fr`).executeTakeFirstOrThrow();
    expect(account.citizen_id).toBe(kept.citizenId);

    const record = await db.kysely.selectFrom('citizens').select(['merged_into_id']).where('id', '=', merged.citizenId).executeTakeFirstOrThrow();
    expect(record.merged_into_id).toBe(kept.citizenId);
    const row = await db.kysely.selectFrom('citizen_merges').selectAll().where('merged_citizen_id', '=', merged.citizenId).executeTakeFirstOrThrow();
    expect(row.agent_id).toBe(agent.agentId);
    const snapshot = JSON.parse(row.snapshot) as MergeSnapshot;
    expect(snapshot.citizen).toMatchObject({ id: merged.citizenId, birth_name: 'Bernart', first_names: 'Hugo' });
    expect(snapshot.cases).toEqual([{ id: merged.caseId, reference: merged.reference }]);
    expect(snapshot.account).toMatchObject({ outcome: 'moved' });
    expect(snapshot.addresses).toEqual(['1 place Plumereau, 37000 Tours']);
    expect(row.identity_check).toBe('Pièce d’identité présentée au guichet');

    const page = await get(agent, `/backoffice/usagers/${kept.citizenId}?fusion=ok`);
    expect(page.body).toContain('Les deux fiches ont été fusionnées.');
    expect(page.body).toContain(`Hugo Bernart (fiche n° ${merged.citizenId}), fusionnée le`);
    expect(page.body).toContain(merged.reference);
    expect(page.body).toContain('rattaché à cette fiche');
    const old = await get(agent, `/backoffice/usagers/${merged.citizenId}`);
    expect(old.body).toContain('Cette fiche a été fusionnée dans la fiche de');
    expect(old.body).toContain(`href="/backoffice/usagers/${kept.citizenId}"`);
    expect((await searchCitizens(db.kysely, commune.organisationId, 'bernart', 50)).map((h) => h.id)).not.toContain(merged.citizenId);
  });

  it('keeps the chosen identity and closes the second portal account when both had one', async () => {
    const { kept, merged, tag } = await pair();
    for (const [id, email] of [[kept.citizenId, `k.${tag}@exemple.fr`], [merged.citizenId, `m.${tag}@exemple.fr`]] as const) {
      await db.kysely.insertInto('citizen_accounts').values({ citizen_id: id, organisation_id: commune.organisationId, email, password_hash: 'x', email_verified_at: null, notify_email: 1, notify_sms: 0, deletion_requested_at: null, created_at: now(), updated_at: now() }).execute();
    }
    const res = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(merged.citizenId), verification: 'rappel', confirmation: 'oui' });
    expect(res.statusCode).toBe(303);
    const citizen = await db.kysely.selectFrom('citizens').select(['birth_name', 'birth_date']).where('id', '=', kept.citizenId).executeTakeFirstOrThrow();
    expect(citizen).toEqual({ birth_name: 'Bernart', birth_date: null });
    const accounts = await db.kysely.selectFrom('citizen_accounts').select(['citizen_id', 'email']).where('email', 'in', [`k.${tag}@exemple.fr`, `m.${tag}@exemple.fr`]).execute();
    expect(accounts).toEqual([{ citizen_id: kept.citizenId, email: `k.${tag}@exemple.fr` }]);
    const snapshot = JSON.parse((await db.kysely.selectFrom('citizen_merges').select('snapshot').where('merged_citizen_id', '=', merged.citizenId).executeTakeFirstOrThrow()).snapshot) as MergeSnapshot;
    expect(snapshot.account).toMatchObject({ email: `m.${tag}@exemple.fr`, outcome: 'closed' });
    expect(snapshot.replacedIdentity).toMatchObject({ birth_name: 'Bernard', birth_date: '1990-01-15' });
    expect((await searchCitizens(db.kysely, commune.organisationId, 'bernart 1990-01-15')).map((h) => h.id)).not.toContain(kept.citizenId);
    expect((await searchCitizens(db.kysely, commune.organisationId, 'bernart', 50)).map((h) => h.id)).toContain(kept.citizenId);
  });

  it('moves the FranceConnect identity, document safe, uploads, satisfaction answers and household membership', async () => {
    const { kept, merged, tag } = await pair();
    await db.kysely.insertInto('citizen_identities').values({ citizen_id: merged.citizenId, provider: 'franceconnect', subject: `fc-${tag}`, created_at: now() }).execute();
    await db.kysely.updateTable('citizens').set({ identity_assurance: 'franceconnect' }).where('id', '=', merged.citizenId).execute();
    const attachmentId = randomUUID();
    await db.kysely.insertInto('attachments').values({ id: attachmentId, organisation_id: commune.organisationId, sha256: 'b'.repeat(64), size: 10, mime_type: 'application/pdf', filename: 'cni.pdf', case_id: null, citizen_id: merged.citizenId, draft_id: null, message_id: null, created_at: now() }).execute();
    await db.kysely.insertInto('citizen_documents').values({ citizen_id: merged.citizenId, attachment_id: attachmentId, kind: 'piece_identite', label: 'Carte d’identité', expires_on: null, created_at: now(), deleted_at: null }).execute();
    await db.kysely.insertInto('satisfaction_answers').values({ case_id: merged.caseId, citizen_id: merged.citizenId, rating: 5, comment: null, created_at: now() }).execute();
    const household = await db.kysely.insertInto('households').values({ organisation_id: commune.organisationId, name: `Foyer ${tag}`, created_at: now() }).returning('id').executeTakeFirstOrThrow();
    await db.kysely.updateTable('citizens').set({ household_id: household.id }).where('id', '=', merged.citizenId).execute();
    await db.kysely.insertInto('household_members').values({ household_id: household.id, citizen_id: merged.citizenId, role: 'adult', relationship: null, first_names: 'Hugo', last_name: 'Bernart', birth_date: null, created_at: now() }).execute();

    const res = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(merged.citizenId), verification: 'autre', precision: 'Connexion FranceConnect devant l’agent', confirmation: 'oui' });
    expect(res.statusCode).toBe(303);
    const owner = async (table: 'citizen_identities' | 'citizen_documents' | 'attachments' | 'satisfaction_answers' | 'household_members', column: 'subject' | 'attachment_id' | 'id' | 'case_id' | 'household_id', value: string | number) =>
      (await db.kysely.selectFrom(table).select('citizen_id').where(column, '=', value as never).executeTakeFirstOrThrow()).citizen_id;
    expect(await owner('citizen_identities', 'subject', `fc-${tag}`)).toBe(kept.citizenId);
    expect(await owner('citizen_documents', 'attachment_id', attachmentId)).toBe(kept.citizenId);
    expect(await owner('attachments', 'id', attachmentId)).toBe(kept.citizenId);
    expect(await owner('satisfaction_answers', 'case_id', merged.caseId)).toBe(kept.citizenId);
    expect(await owner('household_members', 'household_id', household.id)).toBe(kept.citizenId);
    const citizen = await db.kysely.selectFrom('citizens').select(['household_id', 'identity_assurance']).where('id', '=', kept.citizenId).executeTakeFirstOrThrow();
    expect(citizen).toEqual({ household_id: household.id, identity_assurance: 'franceconnect' });
    const page = await get(agent, `/backoffice/usagers/${kept.citizenId}`);
    expect(page.body).toContain('Identité certifiée par FranceConnect');
    expect(page.body).toContain('Pièce d’identité : Carte d’identité');
    expect(page.body).toContain(`Foyer ${tag}`);
  });

  it('refuses a certified identity replaced by a declared one, with an error summary and nothing written', async () => {
    const { kept, merged } = await pair();
    await db.kysely.updateTable('citizens').set({ identity_assurance: 'franceconnect' }).where('id', '=', merged.citizenId).execute();
    const res = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('L’identité certifiée par FranceConnect doit être conservée');
    expect(res.body).toContain(`href="#identite-${kept.citizenId}"`);
    const still = await db.kysely.selectFrom('citizens').select('merged_into_id').where('id', '=', merged.citizenId).executeTakeFirstOrThrow();
    expect(still.merged_into_id).toBeNull();
  });

  it('asks for the confirmation and the choices', async () => {
    const { kept, merged } = await pair();
    const res = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId) });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Choisissez la fiche à conserver.');
    expect(res.body).toContain('Choisissez l’identité à conserver.');
    expect(res.body).toContain('href="#confirmation"');
  });

  it('refuses a record merged into itself or into an already merged one, a forged form and another organisation', async () => {
    const { kept, merged } = await pair();
    const self = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(kept.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' });
    expect(self.statusCode).toBe(422);
    expect(self.body).toContain('ne peut pas être fusionnée avec elle-même');

    const forged = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' }, 'faux');
    expect(forged.statusCode).toBe(403);
    const missing = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' }, null);
    expect(missing.statusCode).toBe(403);

    const third = await newCase({ firstNames: 'Hugo', lastName: 'Bernard', email: `${randomUUID()}@exemple.fr` });
    await db.kysely.updateTable('citizens').set({ merged_into_id: third.citizenId }).where('id', '=', merged.citizenId).execute();
    const already = await post(agent, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(merged.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' });
    expect(already.statusCode).toBe(422);
    expect(already.body).toContain('a déjà été fusionnée');

    const elsewhere = await makeOrganisation(db, `ville-${randomUUID().slice(0, 6)}`);
    const otherDepartment = await makeDepartment(db, elsewhere, 'accueil');
    const outsider = await signedInAgent(db, elsewhere, app.signCookie.bind(app), { roles: [{ departmentId: otherDepartment, role: 'admin' }] });
    const foreign = await post(outsider, `/backoffice/usagers/${kept.citizenId}/fusionner`, { avec: String(third.citizenId), conserver: String(kept.citizenId), identite: String(kept.citizenId), confirmation: 'oui' });
    expect(foreign.statusCode).toBe(404);
    const untouched = await db.kysely.selectFrom('citizens').select('merged_into_id').where('id', 'in', [kept.citizenId, third.citizenId]).execute();
    expect(untouched.every((c) => c.merged_into_id === null)).toBe(true);
  });
});

describe('possible duplicates', () => {
  it('lists a pair the intake flagged, shows a banner, and clears it when they are different people', async () => {
    const agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
    const email = `famille.${randomUUID().slice(0, 6)}@exemple.fr`;
    const first = await newCase({ firstNames: 'Paul', lastName: 'Mercier', email });
    const second = await newCase({ firstNames: 'Jeanne', lastName: 'Mercier', email });
    const flagged = await db.kysely.selectFrom('citizens').select('possible_duplicate_of').where('id', '=', second.citizenId).executeTakeFirstOrThrow();
    expect(flagged.possible_duplicate_of).toBe(first.citizenId);

    const list = await get(agent, '/backoffice/usagers/doublons');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Jeanne Mercier');
    // Their cases went to the roads department: a reception agent is not offered the merge.
    expect(list.body).not.toContain(`href="/backoffice/usagers/${first.citizenId}/fusionner?avec=${second.citizenId}"`);
    expect(list.body).toContain('Fusion réservée à un responsable');
    const manager = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: commune.departments.reception, role: 'manager' }] });
    expect((await get(manager, '/backoffice/usagers/doublons')).body).toContain(`href="/backoffice/usagers/${first.citizenId}/fusionner?avec=${second.citizenId}"`);
    const page = await get(agent, `/backoffice/usagers/${second.citizenId}`);
    expect(page.body).toContain('Doublon possible');
    expect(page.body).not.toContain('/fusionner');

    const forged = await post(agent, `/backoffice/usagers/${second.citizenId}/pas-un-doublon`, {}, 'faux');
    expect(forged.statusCode).toBe(403);
    const res = await post(agent, `/backoffice/usagers/${second.citizenId}/pas-un-doublon`, { retour: 'doublons' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/backoffice/usagers/doublons?ecarte=1');
    const cleared = await db.kysely.selectFrom('citizens').select('possible_duplicate_of').where('id', '=', second.citizenId).executeTakeFirstOrThrow();
    expect(cleared.possible_duplicate_of).toBeNull();
    const decision = await db.kysely.selectFrom('citizen_duplicate_dismissals').selectAll().where('citizen_id', '=', second.citizenId).executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ other_citizen_id: first.citizenId, agent_id: agent.agentId });
    expect((await get(agent, '/backoffice/usagers/doublons')).body).not.toContain('Jeanne Mercier');
    const after = await get(agent, `/backoffice/usagers/${first.citizenId}`);
    expect(after.body).toContain('Doublons écartés');
    expect(after.body).not.toContain('<h2 id="duplicate-title">');
  });
});


describe('HTML', () => {
  it('is valid on every citizens page, one h1 each', async () => {
    const agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
    const email = `valide.${randomUUID().slice(0, 6)}@exemple.fr`;
    const a = await newCase({ firstNames: 'Valérie', lastName: 'Valide', email, phone: '0699887766', address: { line1: '2 rue Nationale', postcode: '37000', city: 'Tours' } });
    const b = await newCase({ firstNames: 'Victor', lastName: 'Valide', email });
    // An account on one record: the comparison asks how identity was checked.
    await db.kysely.insertInto('citizen_accounts').values({ citizen_id: b.citizenId, organisation_id: commune.organisationId, email: `compte.${email}`, password_hash: 'x', email_verified_at: null, notify_email: 1, notify_sms: 0, deletion_requested_at: null, created_at: now(), updated_at: now() }).execute();
    const pages = [
      { name: 'recherche', html: (await get(agent, '/backoffice/usagers?q=valide')).body },
      { name: 'recherche : erreur', html: (await get(agent, '/backoffice/usagers?q=v')).body },
      { name: 'fiche', html: (await get(agent, `/backoffice/usagers/${b.citizenId}`)).body },
      { name: 'fusion : recherche', html: (await get(agent, `/backoffice/usagers/${a.citizenId}/fusionner?q=valide`)).body },
      { name: 'fusion : comparaison', html: (await get(agent, `/backoffice/usagers/${a.citizenId}/fusionner?avec=${b.citizenId}`)).body },
      { name: 'fusion : erreurs', html: (await post(agent, `/backoffice/usagers/${a.citizenId}/fusionner`, { avec: String(b.citizenId) })).body },
      { name: 'doublons', html: (await get(agent, '/backoffice/usagers/doublons')).body },
    ];
    pages.push({ name: 'fusion : vérification manquante', html: (await post(agent, `/backoffice/usagers/${a.citizenId}/fusionner`, { avec: String(b.citizenId), conserver: String(a.citizenId), identite: String(a.citizenId), confirmation: 'oui' })).body });
    expect((await post(agent, `/backoffice/usagers/${a.citizenId}/fusionner`, { avec: String(b.citizenId), conserver: String(a.citizenId), identite: String(a.citizenId), verification: 'piece', confirmation: 'oui' })).statusCode).toBe(303);
    pages.push({ name: 'fiche avec fusion', html: (await get(agent, `/backoffice/usagers/${a.citizenId}?fusion=ok`)).body });
    pages.push({ name: 'fiche fusionnée', html: (await get(agent, `/backoffice/usagers/${b.citizenId}`)).body });
    const merge = await db.kysely.selectFrom('citizen_merges').select('id').where('merged_citizen_id', '=', b.citizenId).executeTakeFirstOrThrow();
    const splitUrl = `/backoffice/usagers/${a.citizenId}/fusions/${merge.id}/separer`;
    pages.push({ name: 'séparation', html: (await get(agent, splitUrl)).body });
    pages.push({ name: 'séparation : erreur', html: (await post(agent, splitUrl, {})).body });
    expect((await post(agent, splitUrl, { confirmation: 'oui' })).statusCode).toBe(303);
    pages.push({ name: 'fiche séparée', html: (await get(agent, `/backoffice/usagers/${b.citizenId}?separation=ok`)).body });
    pages.push({ name: 'séparation : déjà faite', html: (await get(agent, splitUrl)).body });
    for (const page of pages) {
      expect(page.html.match(/<h1[ >]/g), page.name).toHaveLength(1);
      expect(page.html, page.name).toMatch(/<title>[^<]+<\/title>/);
    }
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});
