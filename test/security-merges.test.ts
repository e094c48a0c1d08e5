/**
 * Security audit, issue 13, finding 3: citizen merges. Any agent could merge any two records,
 * and merging a victim into a record that owns a portal account handed that account every case
 * of the victim, from every department. Here: who may merge (managers/admins, or an agent who sees
 * every case of both records), the identity check when an account or FranceConnect is involved,
 * the journal and access-log trace, and « Séparer », which splits a merge back.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase, type IntakeRequest } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, makeDepartment, makeOrganisation } from './factories.js';
import { signedInCitizen, signInAs, type TestCitizen } from './portal-session.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let roadsAgent: TestAgent;
let manager: TestAgent;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  roadsAgent = await signedInAgent(db, commune.organisationId, sign, { name: 'Agent Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  manager = await signedInAgent(db, commune.organisationId, sign, { name: 'Responsable Accueil', roles: [{ departmentId: commune.departments.reception, role: 'manager' }] });
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const LIGHTING = { categorie: 'eclairage', description: 'Lampadaire éteint.' };
/** Routed to the cleaning sub-department, which a roads *agent* does not see. */
const DUMPING = { categorie: 'depot_sauvage', description: 'Dépôt de gravats, affaire du service propreté.' };

async function newCase(citizen: Record<string, unknown>, data: Record<string, unknown> = LIGHTING, overrides: Partial<IntakeRequest> = {}) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris' },
    { organisationId: commune.organisationId, procedureSlug: 'signalement-voirie', channel: 'web', actor: { type: 'citizen', id: null }, citizen, data, hiddenFields: 'reject', ...overrides },
  );
  const row = await db.kysely.selectFrom('cases').select(['id', 'citizen_id', 'reference']).where('id', '=', receipt.caseId).executeTakeFirstOrThrow();
  return { caseId: row.id, citizenId: row.citizen_id!, reference: row.reference };
}

const get = (who: { cookie: string }, url: string) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const post = (agent: TestAgent, url: string, form: Record<string, string>, csrf: string | null = agent.csrf) =>
  app.inject({
    method: 'POST',
    url,
    headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(csrf === null ? form : { ...form, _csrf: csrf }).toString(),
  });

/** The merge form, the way the compare page posts it: keep `keptId` and its identity. */
const mergeForm = (keptId: number, mergedId: number, extra: Record<string, string> = {}) => ({ avec: String(mergedId), conserver: String(keptId), identite: String(keptId), confirmation: 'oui', ...extra });

/** A victim with a case the roads agent sees and one they do not, and an attacker's record owning a portal account. */
async function attackScene() {
  const tag = randomUUID().slice(0, 8);
  const attacker: TestCitizen = await signedInCitizen(db, commune.organisationId, { email: `attaquant.${tag}@exemple.fr`, firstNames: 'Victor', lastName: `Usurpe${tag}` });
  const visible = await newCase({ firstNames: 'Victor', lastName: `Victime${tag}`, email: `victime.${tag}@exemple.fr`, phone: '06 11 22 33 44' });
  // The victim's second request, known for sure (signed in, or picked by an agent): same record.
  const hidden = await newCase({ firstNames: 'Victor', lastName: `Victime${tag}`, email: `victime.${tag}@exemple.fr` }, DUMPING, { citizenId: visible.citizenId });
  expect(hidden.citizenId).toBe(visible.citizenId);
  return { tag, attacker, victim: visible.citizenId, visible, hidden };
}

const casesOf = async (citizenId: number) => (await db.kysely.selectFrom('cases').select('id').where('citizen_id', '=', citizenId).orderBy('id').execute()).map((c) => c.id);
const mergeRows = (mergedId: number) => db.kysely.selectFrom('citizen_merges').selectAll().where('merged_citizen_id', '=', mergedId).execute();

describe('who may merge', () => {
  it('refuses a single-department agent the attack: the victim merged into an account-owning record, and the account sees none of the victim’s cases', async () => {
    const { attacker, victim, visible, hidden } = await attackScene();
    // The merge is not offered, neither on the victim's record nor on the comparison.
    const page = await get(roadsAgent, `/backoffice/usagers/${victim}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`/backoffice/usagers/${victim}/fusionner`);
    expect((await get(roadsAgent, `/backoffice/usagers/${victim}/fusionner`)).statusCode).toBe(403);
    expect((await get(roadsAgent, `/backoffice/usagers/${attacker.citizenId}/fusionner?avec=${victim}`)).statusCode).toBe(403);

    // The replay: both directions, with a stated identity check, are refused and write nothing.
    for (const [kept, merged] of [[attacker.citizenId, victim], [victim, attacker.citizenId]] as const) {
      const res = await post(roadsAgent, `/backoffice/usagers/${kept}/fusionner`, mergeForm(kept, merged, { verification: 'piece' }));
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('responsables de service');
    }
    expect(await casesOf(victim)).toEqual([visible.caseId, hidden.caseId]);
    expect(await casesOf(attacker.citizenId)).toEqual([]);
    expect(await mergeRows(victim)).toEqual([]);
    const journal = await db.kysely.selectFrom('case_journal').select('type').where('case_id', 'in', [visible.caseId, hidden.caseId]).where('type', '=', 'citizen_merged').execute();
    expect(journal).toEqual([]);
    const portal = await get(attacker, '/mes-demandes');
    expect(portal.statusCode).toBe(200);
    expect(portal.body).not.toContain(visible.reference);
    expect(portal.body).not.toContain(hidden.reference);
  });

  it('refuses even a record pair whose only hidden case sits on the kept record (checked as a set)', async () => {
    const { victim } = await attackScene();
    const other = await newCase({ firstNames: 'Autre', lastName: `Fiche${randomUUID().slice(0, 6)}`, email: `${randomUUID()}@exemple.fr` });
    const res = await post(roadsAgent, `/backoffice/usagers/${other.citizenId}/fusionner`, mergeForm(other.citizenId, victim));
    expect(res.statusCode).toBe(403);
    expect(await casesOf(other.citizenId)).toEqual([other.caseId]);
  });

  it('lets an agent merge records whose every case they see, including a case assigned to them elsewhere', async () => {
    const tag = randomUUID().slice(0, 8);
    const a = await newCase({ firstNames: 'Lina', lastName: `Assignee${tag}`, email: `lina.${tag}@exemple.fr` });
    const b = await newCase({ firstNames: 'Lina', lastName: `Assignee${tag}`, email: `lina.bis.${tag}@exemple.fr` }, DUMPING);
    expect((await post(roadsAgent, `/backoffice/usagers/${a.citizenId}/fusionner`, mergeForm(a.citizenId, b.citizenId))).statusCode).toBe(403);
    await db.kysely.updateTable('cases').set({ assigned_agent_id: roadsAgent.agentId }).where('id', '=', b.caseId).execute();
    const res = await post(roadsAgent, `/backoffice/usagers/${a.citizenId}/fusionner`, mergeForm(a.citizenId, b.citizenId));
    expect(res.statusCode).toBe(303);
    expect(await casesOf(a.citizenId)).toEqual([a.caseId, b.caseId]);
  });

  it('refuses an agent of another organisation with « not found », and a roleless agent with 403', async () => {
    const { attacker, victim } = await attackScene();
    const elsewhere = await makeOrganisation(db, `ville-${randomUUID().slice(0, 6)}`);
    const outsider = await signedInAgent(db, elsewhere, app.signCookie.bind(app), { roles: [{ departmentId: await makeDepartment(db, elsewhere, 'accueil'), role: 'admin' }] });
    expect((await post(outsider, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'piece' }))).statusCode).toBe(404);
    // A plain agent elsewhere gets the same « not found », whether or not the records hold cases.
    const outsiderAgent = await signedInAgent(db, elsewhere, app.signCookie.bind(app), { roles: [{ departmentId: await makeDepartment(db, elsewhere, 'voirie'), role: 'agent' }] });
    for (const form of [mergeForm(attacker.citizenId, victim), mergeForm(attacker.citizenId, victim, { confirmation: '' })]) {
      expect((await post(outsiderAgent, `/backoffice/usagers/${attacker.citizenId}/fusionner`, form)).statusCode).toBe(404);
    }
    expect((await get(outsiderAgent, `/backoffice/usagers/${attacker.citizenId}/fusionner?avec=${victim}`)).statusCode).toBe(404);
    const roleless = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [] });
    expect((await post(roleless, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'piece' }))).statusCode).toBe(403);
    expect(await mergeRows(victim)).toEqual([]);
  });
});

describe('identity check', () => {
  it('refuses a manager’s merge into an account-owning record without a stated identity check, with a field error; with it, it works', async () => {
    const { attacker, victim, visible, hidden } = await attackScene();
    const compare = await get(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner?avec=${victim}`);
    expect(compare.statusCode).toBe(200);
    expect(compare.body).toContain('<legend>Vérification de l’identité (obligatoire)</legend>');

    const without = await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim));
    expect(without.statusCode).toBe(422);
    expect(without.body).toContain('class="error-summary"');
    expect(without.body).toContain('href="#verification-piece"');
    expect(without.body).toContain('indiquez comment vous avez vérifié l’identité');
    const other = await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'autre', precision: '  ' }));
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('href="#precision"');
    const forged = await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'rien' }));
    expect(forged.statusCode).toBe(422);
    expect(await casesOf(victim)).toEqual([visible.caseId, hidden.caseId]);
    expect(await mergeRows(victim)).toEqual([]);

    // Merging the account-owning record away needs it too.
    const away = await post(manager, `/backoffice/usagers/${victim}/fusionner`, mergeForm(victim, attacker.citizenId));
    expect(away.statusCode).toBe(422);

    const res = await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'autre', precision: 'Carte d’identité n° 12AB présentée en mairie annexe' }));
    expect(res.statusCode).toBe(303);
    const [row] = await mergeRows(victim);
    expect(row!.identity_check).toBe('Autre : Carte d’identité n° 12AB présentée en mairie annexe');
    expect(row!.agent_id).toBe(manager.agentId);
    const page = await get(manager, `/backoffice/usagers/${attacker.citizenId}`);
    expect(page.body).toContain('Vérification de l’identité');
    expect(page.body).toContain('Carte d’identité n° 12AB présentée en mairie annexe');
  });

  it('asks for it when a FranceConnect identity is involved, and not for two plain records', async () => {
    const tag = randomUUID().slice(0, 8);
    const a = await newCase({ firstNames: 'Nora', lastName: `Plain${tag}`, email: `nora.${tag}@exemple.fr` });
    const b = await newCase({ firstNames: 'Nora', lastName: `Plain${tag}`, email: `nora.bis.${tag}@exemple.fr` });
    const c = await newCase({ firstNames: 'Nora', lastName: `Plain${tag}`, email: `nora.ter.${tag}@exemple.fr` });
    expect((await get(manager, `/backoffice/usagers/${a.citizenId}/fusionner?avec=${b.citizenId}`)).body).not.toContain('Vérification de l’identité');
    expect((await post(manager, `/backoffice/usagers/${a.citizenId}/fusionner`, mergeForm(a.citizenId, b.citizenId))).statusCode).toBe(303);
    expect((await mergeRows(b.citizenId))[0]!.identity_check).toBeNull();
    await db.kysely.insertInto('citizen_identities').values({ citizen_id: c.citizenId, provider: 'franceconnect', subject: `fc-${tag}`, created_at: new Date().toISOString() }).execute();
    expect((await post(manager, `/backoffice/usagers/${a.citizenId}/fusionner`, mergeForm(a.citizenId, c.citizenId))).statusCode).toBe(422);
    expect((await post(manager, `/backoffice/usagers/${a.citizenId}/fusionner`, mergeForm(a.citizenId, c.citizenId, { verification: 'rappel' }))).statusCode).toBe(303);
  });
});

describe('trace and split back', () => {
  it('journals and access-logs a merge; « Séparer » restores cases and contacts, the account no longer sees them, and cannot run twice', async () => {
    const { attacker, victim, visible, hidden, tag } = await attackScene();
    const res = await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'piece' }));
    expect(res.statusCode).toBe(303);
    const [merge] = await mergeRows(victim);
    const mergeId = merge!.id;

    // Journal: one event per moved case, in the merge's transaction.
    const merged = await db.kysely.selectFrom('case_journal').select(['case_id', 'actor_id', 'payload']).where('type', '=', 'citizen_merged').where('case_id', 'in', [visible.caseId, hidden.caseId]).orderBy('case_id').execute();
    expect(merged.map((j) => j.case_id)).toEqual([visible.caseId, hidden.caseId]);
    expect(merged.every((j) => j.actor_id === String(manager.agentId))).toBe(true);
    expect(JSON.parse(merged[0]!.payload)).toMatchObject({ mergeId, fromCitizenId: victim, toCitizenId: attacker.citizenId, identityChecked: true });
    // Access log: both records and each moved case.
    const log = await db.kysely.selectFrom('access_log').select(['citizen_id', 'case_id', 'detail']).where('action', '=', 'merge_citizens').where('agent_id', '=', manager.agentId).where('detail', 'like', `fusion n° ${mergeId} :%`).execute();
    expect(log.filter((l) => l.case_id === null).map((l) => l.citizen_id).sort()).toEqual([attacker.citizenId, victim].sort());
    expect(log.filter((l) => l.case_id !== null).map((l) => l.case_id).sort()).toEqual([visible.caseId, hidden.caseId].sort());

    // Meanwhile the portal account sees the victim's cases (this is what the split must undo)…
    expect((await get(attacker, '/mes-demandes')).body).toContain(hidden.reference);
    // …and a new case arrives on the survivor after the merge: it stays there.
    const later = await newCase({ firstNames: 'Victor', lastName: `Usurpe${tag}`, email: `attaquant.${tag}@exemple.fr` }, LIGHTING, { citizenId: attacker.citizenId });
    expect(later.citizenId).toBe(attacker.citizenId);

    // « Séparer » from the 360° view.
    const view = await get(manager, `/backoffice/usagers/${attacker.citizenId}`);
    const splitUrl = `/backoffice/usagers/${attacker.citizenId}/fusions/${mergeId}/separer`;
    expect(view.body).toContain(`href="${splitUrl}"`);
    const confirm = await get(manager, splitUrl);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(hidden.reference);
    const unconfirmed = await post(manager, splitUrl, {});
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.body).toContain('href="#confirmation"');
    expect(await casesOf(attacker.citizenId)).toEqual([visible.caseId, hidden.caseId, later.caseId]);

    const split = await post(manager, splitUrl, { confirmation: 'oui' });
    expect(split.statusCode).toBe(303);
    expect(split.headers.location).toBe(`/backoffice/usagers/${victim}?separation=ok`);
    expect(await casesOf(victim)).toEqual([visible.caseId, hidden.caseId]);
    expect(await casesOf(attacker.citizenId)).toEqual([later.caseId]);
    const record = await db.kysely.selectFrom('citizens').select('merged_into_id').where('id', '=', victim).executeTakeFirstOrThrow();
    expect(record.merged_into_id).toBeNull();
    const emails = await db.kysely.selectFrom('citizen_emails').select('email').where('citizen_id', '=', victim).execute();
    expect(emails.map((e) => e.email)).toEqual([`victime.${tag}@exemple.fr`]);
    const phones = await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', victim).execute();
    expect(phones.map((p) => p.phone)).toEqual(['+33611223344']);
    expect((await db.kysely.selectFrom('citizen_emails').select('email').where('citizen_id', '=', attacker.citizenId).execute()).map((e) => e.email)).toEqual([`attaquant.${tag}@exemple.fr`]);
    const portal = await get(attacker, '/mes-demandes');
    expect(portal.body).not.toContain(visible.reference);
    expect(portal.body).not.toContain(hidden.reference);
    expect(portal.body).toContain(later.reference);

    const splitJournal = await db.kysely.selectFrom('case_journal').select('case_id').where('type', '=', 'citizen_split').where('case_id', 'in', [visible.caseId, hidden.caseId, later.caseId]).execute();
    expect(splitJournal.map((j) => j.case_id).sort()).toEqual([visible.caseId, hidden.caseId].sort());
    const splitLog = await db.kysely.selectFrom('access_log').select(['citizen_id', 'case_id']).where('action', '=', 'split_citizens').where('detail', 'like', `séparation de la fusion n° ${mergeId} :%`).execute();
    expect(splitLog.filter((l) => l.case_id === null).map((l) => l.citizen_id).sort()).toEqual([attacker.citizenId, victim].sort());
    expect(splitLog.filter((l) => l.case_id !== null)).toHaveLength(2);
    const [after] = await mergeRows(victim);
    expect(after).toMatchObject({ split_by: manager.agentId });
    expect(after!.split_at).not.toBeNull();
    expect((await get(manager, `/backoffice/usagers/${victim}?separation=ok`)).body).toContain('La fusion a été séparée');
    const casePage = await get(roadsAgent, `/backoffice/dossiers/${visible.reference}`);
    expect(casePage.body).toContain('Demande rattachée à une autre fiche usager (fusion de deux fiches)');
    expect(casePage.body).toContain('Demande rendue à sa fiche usager d’origine (fusion séparée)');

    // Undo of an undone merge: refused cleanly, nothing moves.
    const again = await post(manager, splitUrl, { confirmation: 'oui' });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('Cette fusion a déjà été séparée.');
    expect((await get(manager, splitUrl)).body).not.toContain('<form method="post" action="/backoffice/usagers');
    expect(await casesOf(victim)).toEqual([visible.caseId, hidden.caseId]);
    expect((await get(manager, `/backoffice/usagers/${attacker.citizenId}`)).body).not.toContain(`href="${splitUrl}"`);
  });

  it('gives a moved account back to its record, ends the sessions it opened on the survivor, and restores dropped duplicates and the identity', async () => {
    const tag = randomUUID().slice(0, 8);
    const owner: TestCitizen = await signedInCitizen(db, commune.organisationId, { email: `proprio.${tag}@exemple.fr`, firstNames: 'Iris', lastName: `Compte${tag}` });
    await db.kysely.insertInto('citizen_phones').values({ citizen_id: owner.citizenId, phone: '+33699000001', is_primary: 1 }).execute();
    const ownerCase = await newCase({ firstNames: 'Iris', lastName: `Compte${tag}`, email: `proprio.${tag}@exemple.fr` }, LIGHTING, { citizenId: owner.citizenId });
    expect(ownerCase.citizenId).toBe(owner.citizenId);
    const plain = await newCase({ firstNames: 'Iris', lastName: `Autre${tag}`, email: `plain.${tag}@exemple.fr`, phone: '06 99 00 00 01' });
    const res = await post(manager, `/backoffice/usagers/${plain.citizenId}/fusionner`, { ...mergeForm(plain.citizenId, owner.citizenId, { verification: 'piece' }), identite: String(owner.citizenId) });
    expect(res.statusCode).toBe(303);
    const account = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', `proprio.${tag}@exemple.fr`).executeTakeFirstOrThrow();
    expect(account.citizen_id).toBe(plain.citizenId);
    expect((await db.kysely.selectFrom('citizens').select('birth_name').where('id', '=', plain.citizenId).executeTakeFirstOrThrow()).birth_name).toBe(`Compte${tag}`);
    // The owner signs in again: the new session is on the survivor.
    const again = await signInAs(db, plain.citizenId);

    const [merge] = await mergeRows(owner.citizenId);
    const split = await post(manager, `/backoffice/usagers/${plain.citizenId}/fusions/${merge!.id}/separer`, { confirmation: 'oui' });
    expect(split.statusCode).toBe(303);
    expect((await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', `proprio.${tag}@exemple.fr`).executeTakeFirstOrThrow()).citizen_id).toBe(owner.citizenId);
    const sessions = await db.kysely.selectFrom('portal_sessions').select('revoked_at').where('citizen_id', '=', plain.citizenId).execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    expect((await get({ cookie: again.cookie }, '/mes-demandes')).body).not.toContain(ownerCase.reference);
    // The phone the merge dropped as a duplicate is the owner's again; the survivor keeps its own.
    expect((await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', owner.citizenId).execute()).map((p) => p.phone)).toEqual(['+33699000001']);
    expect((await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', plain.citizenId).execute()).map((p) => p.phone)).toEqual(['+33699000001']);
    expect((await db.kysely.selectFrom('citizens').select('birth_name').where('id', '=', plain.citizenId).executeTakeFirstOrThrow()).birth_name).toBe(`Autre${tag}`);
    expect(await casesOf(owner.citizenId)).toEqual([ownerCase.caseId]);
  });

  it('authorizes the split route like the merge: refused to an agent who does not see every case, a roleless agent, a forged form and another organisation', async () => {
    const { attacker, victim, hidden } = await attackScene();
    expect((await post(manager, `/backoffice/usagers/${attacker.citizenId}/fusionner`, mergeForm(attacker.citizenId, victim, { verification: 'piece' }))).statusCode).toBe(303);
    const [merge] = await mergeRows(victim);
    const splitUrl = `/backoffice/usagers/${attacker.citizenId}/fusions/${merge!.id}/separer`;

    const view = await get(roadsAgent, `/backoffice/usagers/${attacker.citizenId}`);
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain(`href="${splitUrl}"`);
    expect((await get(roadsAgent, splitUrl)).statusCode).toBe(403);
    expect((await post(roadsAgent, splitUrl, { confirmation: 'oui' })).statusCode).toBe(403);
    const roleless = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [] });
    expect((await post(roleless, splitUrl, { confirmation: 'oui' })).statusCode).toBe(403);
    expect((await post(manager, splitUrl, { confirmation: 'oui' }, 'faux')).statusCode).toBe(403);
    const elsewhere = await makeOrganisation(db, `ville-${randomUUID().slice(0, 6)}`);
    const outsider = await signedInAgent(db, elsewhere, app.signCookie.bind(app), { roles: [{ departmentId: await makeDepartment(db, elsewhere, 'accueil'), role: 'admin' }] });
    expect((await post(outsider, splitUrl, { confirmation: 'oui' })).statusCode).toBe(404);
    // A merge id that is not a merge of this record: not found.
    expect((await get(manager, `/backoffice/usagers/${victim}/fusions/${merge!.id}/separer`)).statusCode).toBe(404);
    expect((await get(manager, `/backoffice/usagers/${attacker.citizenId}/fusions/abc/separer`)).statusCode).toBe(404);
    expect((await mergeRows(victim))[0]!.split_at).toBeNull();
    expect(await casesOf(attacker.citizenId)).toContain(hidden.caseId);

    // The agent assigned to the hidden case now sees every case: they may split.
    await db.kysely.updateTable('cases').set({ assigned_agent_id: roadsAgent.agentId }).where('id', '=', hidden.caseId).execute();
    expect((await post(roadsAgent, splitUrl, { confirmation: 'oui' })).statusCode).toBe(303);
    expect(await casesOf(attacker.citizenId)).not.toContain(hidden.caseId);
  });
});
