/**
 * The phone channel over HTTP, posted as PBXs post to Zammad's generic CTI API (JSON and
 * form-encoded): the token, the checks, de-duplication of retried events, the caller matched to
 * their record, the call given to the agent of the extension (and moved on answer), its place in
 * the citizen's 360° view, the calls page's refusals, the new-request screen prefilled from a call,
 * and the live stream that only the call's agent receives.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneStatus } from '../src/channels/phone/status.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, makeDepartment, makeOrganisation } from './factories.js';

const TOKEN = 'cti-token-de-test-0123456789abcdef0123';
let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let alice: TestAgent;
let bruno: TestAgent;
let admin: TestAgent;
let citizenId: number;

const json = (body: unknown, token: string | null = TOKEN) =>
  app.inject({ method: 'POST', url: '/channels/phone/events', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: JSON.stringify(body) });
const form = (fields: [string, string][], token = TOKEN) =>
  app.inject({
    method: 'POST',
    url: '/channels/phone/events',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
    payload: new URLSearchParams(fields).toString(),
  });
const page = (agent: TestAgent, url: string) => app.inject({ method: 'GET', url, headers: { cookie: agent.cookie } });
const callRow = (callId: string) => db.kysely.selectFrom('phone_calls').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db, { CTI_TOKEN: TOKEN });
  const sign = app.signCookie.bind(app);
  alice = await signedInAgent(db, commune.organisationId, sign, { name: 'Alice Accueil', roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
  bruno = await signedInAgent(db, commune.organisationId, sign, { name: 'Bruno Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  admin = await signedInAgent(db, commune.organisationId, sign, { name: 'Anne Admin', roles: [{ departmentId: commune.departments.reception, role: 'admin' }] });
  await db.kysely.updateTable('agents').set({ phone_extension: '101' }).where('id', '=', alice.agentId).execute();
  await db.kysely.updateTable('agents').set({ phone_extension: '102' }).where('id', '=', bruno.agentId).execute();
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
    {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'system', id: null },
      citizen: { firstNames: 'Claire', lastName: 'Martin', email: 'claire.martin@example.fr', phone: '06 12 34 56 78' },
      data: { categorie: 'eclairage', description: 'Lampadaire éteint' },
      hiddenFields: 'drop',
    },
  );
  citizenId = receipt.citizen!.id;
  // Typed in a web form, the number is only declared: an agent confirmed it on the phone (ADR 0002).
  await db.kysely.updateTable('citizen_phones').set({ verified_at: new Date().toISOString(), verified_how: 'agent', verified_by_agent_id: alice.agentId }).where('citizen_id', '=', citizenId).execute();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the CTI webhook', () => {
  it('refuses a missing or wrong token with a problem+json 401', async () => {
    const event = { event: 'newCall', callId: 'x-1', from: '0612345678', to: '101', direction: 'in' };
    for (const res of [await json(event, null), await json(event, 'mauvais-jeton'), await json(event, `${TOKEN}x`)]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
    }
    expect(await db.kysely.selectFrom('channel_inbound').select('id').execute()).toEqual([]);
  });

  it('is closed (404) when no CTI_TOKEN is configured', async () => {
    const closed = await testApp(db);
    try {
      const res = await closed.inject({ method: 'POST', url: '/channels/phone/events', headers: { authorization: 'Bearer ' }, payload: { event: 'newCall' } });
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toContain('CTI_TOKEN');
    } finally {
      await closed.close();
    }
  });

  it('answers 400 with French messages per field for a bad event, and records nothing', async () => {
    const res = await json({ event: 'ring', from: '', direction: 'sideways', cause: 'pas une cause !' });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.code).toBe('bad_request');
    const fields = Object.fromEntries(problem.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(Object.keys(fields).sort()).toEqual(['callId', 'cause', 'direction', 'event', 'from', 'to']);
    expect(fields['event']).toBe('L’événement (event) doit valoir newCall, answer ou hangup.');
    expect(fields['direction']).toContain('in (entrant) ou out (sortant)');
    const notJson = await app.inject({ method: 'POST', url: '/channels/phone/events', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: '{"event":' });
    expect(notJson.statusCode).toBe(400);
    expect(await db.kysely.selectFrom('phone_calls').select('id').execute()).toEqual([]);
  });

  it('records a newCall from a known number for the agent of the extension; a retried event is one', async () => {
    // Zammad's examples write international numbers without « + ».
    const event = { event: 'newCall', callId: 'appel-1', from: '33612345678', to: '0247000000', direction: 'in', user: ['Alice Accueil'], extension: '101' };
    const first = await json(event);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ callId: 'appel-1', event: 'newCall', duplicate: false, state: 'ringing', screenPop: true });
    const again = await json(event);
    expect(again.json()).toMatchObject({ duplicate: true, state: null });

    const call = await callRow('appel-1');
    expect(call).toMatchObject({ state: 'ringing', direction: 'in', caller_e164: '+33612345678', citizen_id: citizenId, citizen_matches: 1, agent_id: alice.agentId, extension: '101' });
    const receipts = await db.kysely.selectFrom('channel_inbound').selectAll().where('channel', '=', 'phone').execute();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ external_id: 'appel-1:newCall', status: 'ignored', reason: 'call_event', source: 'cti', attempts: 1 });
  });

  it('reads form-encoded events (user[], answeringNumber, cause): answered elsewhere, the call moves; hangup ends it', async () => {
    const base: [string, string][] = [
      ['from', '+33612345678'],
      ['to', '0247000000'],
      ['direction', 'in'],
      ['callId', 'appel-2'],
    ];
    expect((await form([['event', 'newCall'], ...base, ['user[]', 'Alice Accueil'], ['user[]', 'Bruno Voirie'], ['extension', '101']])).statusCode).toBe(200);
    expect(await callRow('appel-2')).toMatchObject({ agent_id: alice.agentId, state: 'ringing' });
    const answer = await form([['event', 'answer'], ...base, ['answeringNumber', '102'], ['user[]', 'Bruno Voirie']]);
    expect(answer.json()).toMatchObject({ state: 'answered', screenPop: true });
    expect(await callRow('appel-2')).toMatchObject({ agent_id: bruno.agentId, extension: '102', state: 'answered' });
    const hangup = await form([['event', 'hangup'], ...base, ['cause', 'normalClearing'], ['answeringNumber', '102']]);
    expect(hangup.json()).toMatchObject({ state: 'ended' });
    const call = await callRow('appel-2');
    expect(call).toMatchObject({ agent_id: bruno.agentId, state: 'ended', cause: 'normalClearing' });
    expect(call.answered_at).not.toBeNull();
    expect(call.ended_at).not.toBeNull();
    // A late retry of the answer changes nothing; an out-of-order newCall does not ring again.
    expect((await form([['event', 'answer'], ...base, ['answeringNumber', '102']])).json()).toMatchObject({ duplicate: true });
    expect((await json({ event: 'hangup', callId: 'appel-3', from: 'anonymous', to: '101', direction: 'in', cause: 'cancel' })).json()).toMatchObject({ state: 'ended' });
    expect((await json({ event: 'newCall', callId: 'appel-3', from: 'anonymous', to: '101', direction: 'in' })).json()).toMatchObject({ state: 'ended', duplicate: false });
    expect(await callRow('appel-3')).toMatchObject({ caller_e164: null, citizen_id: null, state: 'ended', cause: 'cancel' });
    // A PBX set up for Zammad names the agent (user[]) instead of giving an extension.
    const named: [string, string][] = [['from', '0611223344'], ['to', '0247000000'], ['direction', 'in'], ['callId', 'appel-nom']];
    expect((await form([['event', 'newCall'], ...named, ['user[]', 'Bruno Voirie']])).json()).toMatchObject({ screenPop: true });
    expect(await callRow('appel-nom')).toMatchObject({ agent_id: bruno.agentId, extension: null, citizen_matches: 0 });
    await form([['event', 'hangup'], ...named, ['cause', 'noAnswer']]);
  });

  it('names nobody from a number only declared on records: « numéro vu sur ces fiches (non vérifié) » (issue 13)', async () => {
    // The attack: an anonymous report plants a victim's-looking record on the attacker's number…
    const { receipt } = await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
      {
        organisationId: commune.organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'web',
        actor: { type: 'citizen', id: null },
        citizen: { firstNames: 'Gaspard', lastName: 'Usurpé', phone: '06 55 44 33 22' },
        data: { categorie: 'eclairage', description: 'Numéro planté' },
        hiddenFields: 'drop',
      },
    );
    expect(receipt.citizen).toMatchObject({ matchedBy: 'created' });
    expect((await json({ event: 'newCall', callId: 'appel-declare', from: '0655443322', to: '101', direction: 'in', extension: '101' })).statusCode).toBe(200);
    expect(await callRow('appel-declare')).toMatchObject({ citizen_id: null, citizen_matches: 1 });
    const calls = await page(alice, '/backoffice/appels');
    expect(calls.body).toContain('Numéro vu sur cette fiche (non vérifié)');
    expect(calls.body).not.toContain('Gaspard');
    // …and a number verified on one record names that person even when another record merely declares it.
    await db.kysely.updateTable('citizen_phones').set({ verified_at: new Date().toISOString(), verified_how: 'agent' }).where('citizen_id', '=', receipt.citizen!.id).execute();
    await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
      {
        organisationId: commune.organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'web',
        actor: { type: 'citizen', id: null },
        citizen: { firstNames: 'Autre', lastName: 'Personne', phone: '06 55 44 33 22' },
        data: { categorie: 'eclairage', description: 'Même numéro, déclaré' },
        hiddenFields: 'drop',
      },
    );
    await json({ event: 'newCall', callId: 'appel-verifie', from: '0655443322', to: '101', direction: 'in', extension: '101' });
    expect(await callRow('appel-verifie')).toMatchObject({ citizen_id: receipt.citizen!.id, citizen_matches: 2 });
    for (const callId of ['appel-declare', 'appel-verifie']) await json({ event: 'hangup', callId, from: '0655443322', to: '101', direction: 'in', cause: 'normalClearing' });
  });

  it('logs the call in the citizen’s 360° view, whose opening is in the access log', async () => {
    const res = await page(alice, `/backoffice/usagers/${citizenId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Appels téléphoniques');
    expect(res.body).toMatch(/Appel reçu — 06 12 34 56 78 — pris par Bruno Voirie/);
    const log = await db.kysely.selectFrom('access_log').select(['action', 'citizen_id']).where('agent_id', '=', alice.agentId).execute();
    expect(log).toContainEqual({ action: 'view_citizen', citizen_id: citizenId });
  });

  it('tells its configuration status to the health page', async () => {
    const settings = await phoneStatus({ db: db.kysely, config: loadConfig({ CTI_TOKEN: TOKEN }), organisationId: commune.organisationId });
    expect(settings.map((s) => s.state)).toEqual(['active', 'active']);
    expect(settings[1]!.detail).toBe('2 agents ont un numéro de poste');
    const off = await phoneStatus({ db: db.kysely, config: loadConfig({}), organisationId: commune.organisationId });
    expect(off[0]).toMatchObject({ state: 'off' });
  });
});

describe('a number confirmed by an agent (ADR 0002)', () => {
  const confirm = (agent: TestAgent, citizen: number, phoneId: number, csrf: string | null = agent.csrf) =>
    app.inject({
      method: 'POST',
      url: `/backoffice/usagers/${citizen}/telephones/${phoneId}/confirmer`,
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(csrf === null ? {} : { _csrf: csrf }).toString(),
    });

  it('names the caller only once an agent has confirmed the number on the 360° view, and says who did', async () => {
    const { receipt } = await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
      {
        organisationId: commune.organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'web',
        actor: { type: 'citizen', id: null },
        citizen: { firstNames: 'Hélène', lastName: 'Rappel', phone: '06 44 33 22 11' },
        data: { categorie: 'eclairage', description: 'Lampadaire éteint' },
        hiddenFields: 'drop',
      },
    );
    const helene = receipt.citizen!.id;
    await json({ event: 'newCall', callId: 'avant-confirmation', from: '0644332211', to: '101', direction: 'in', extension: '101' });
    expect(await callRow('avant-confirmation')).toMatchObject({ citizen_id: null, citizen_matches: 1 });

    const view = await page(alice, `/backoffice/usagers/${helene}`);
    expect(view.body).toContain('déclaré, non vérifié');
    const phone = await db.kysely.selectFrom('citizen_phones').select('id').where('citizen_id', '=', helene).executeTakeFirstOrThrow();
    expect(view.body).toContain(`action="/backoffice/usagers/${helene}/telephones/${phone.id}/confirmer"`);

    // Refusals first: nothing changes.
    const elsewhere = await makeOrganisation(db, `ailleurs-${phone.id}`);
    const foreign = await signedInAgent(db, elsewhere, app.signCookie.bind(app), { name: 'Agent Ailleurs', roles: [{ departmentId: await makeDepartment(db, elsewhere, `accueil-${phone.id}`), role: 'admin' }] });
    expect((await confirm(foreign, helene, phone.id)).statusCode).toBe(404);
    expect((await confirm(alice, helene, phone.id, null)).statusCode).toBe(403);
    expect((await confirm(alice, citizenId, phone.id)).statusCode).toBe(404);
    expect((await db.kysely.selectFrom('citizen_phones').select('verified_at').where('id', '=', phone.id).executeTakeFirstOrThrow()).verified_at).toBeNull();

    const done = await confirm(alice, helene, phone.id);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/backoffice/usagers/${helene}?telephone=confirme`);
    expect(await db.kysely.selectFrom('citizen_phones').select(['verified_how', 'verified_by_agent_id']).where('id', '=', phone.id).executeTakeFirstOrThrow()).toEqual({
      verified_how: 'agent',
      verified_by_agent_id: alice.agentId,
    });
    expect(await db.kysely.selectFrom('access_log').select(['action', 'citizen_id']).where('agent_id', '=', alice.agentId).where('action', '=', 'verify_contact').execute()).toEqual([
      { action: 'verify_contact', citizen_id: helene },
    ]);
    expect((await page(alice, `/backoffice/usagers/${helene}?telephone=confirme`)).body).toContain('vérifié</strong> le');
    // Confirmed once: a second press finds nothing to confirm.
    expect((await confirm(alice, helene, phone.id)).statusCode).toBe(404);

    await json({ event: 'newCall', callId: 'apres-confirmation', from: '0644332211', to: '101', direction: 'in', extension: '101' });
    expect(await callRow('apres-confirmation')).toMatchObject({ citizen_id: helene });
    for (const callId of ['avant-confirmation', 'apres-confirmation']) await json({ event: 'hangup', callId, from: '0644332211', to: '101', direction: 'in', cause: 'normalClearing' });
  });
});


describe('calls in the back-office', () => {
  it('lists an agent’s own calls only; an admin sees them all', async () => {
    const mine = await page(alice, '/backoffice/appels');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Claire Martin');
    expect(mine.body).toContain('/backoffice/nouvelle-demande?appel=');
    const a1 = (await callRow('appel-1')).id;
    const a2 = (await callRow('appel-2')).id;
    expect(mine.body).toContain(`appel=${a1}`);
    expect(mine.body).not.toContain(`appel=${a2}"`);
    const bruno_ = await page(bruno, '/backoffice/appels');
    expect(bruno_.body).toContain(`appel=${a2}"`);
    expect(bruno_.body).not.toContain(`appel=${a1}"`);
    const all = await page(admin, '/backoffice/appels');
    expect(all.body).toContain(`appel=${a1}"`);
    expect(all.body).toContain(`appel=${a2}"`);
    expect(all.body).toContain('Bruno Voirie (102)');
    const signedOut = await app.inject({ method: 'GET', url: '/backoffice/appels' });
    expect(signedOut.statusCode).toBe(303);
  });

  it('prefills the new-request screen from a call: channel phone and the caller, or a new citizen with the number', async () => {
    const a1 = (await callRow('appel-1')).id;
    const known = await page(alice, `/backoffice/nouvelle-demande?appel=${a1}`);
    expect(known.statusCode).toBe(200);
    expect(known.body).toMatch(/<input[^>]*value="phone"[^>]*checked/);
    expect(known.body).toMatch(new RegExp(`name="citizenId" value="${citizenId}"`));
    expect(known.body).toContain('Claire Martin');

    await json({ event: 'newCall', callId: 'appel-inconnu', from: '0698765432', to: '0247000000', direction: 'in', extension: '101' });
    const unknownId = (await callRow('appel-inconnu')).id;
    const unknown = await page(alice, `/backoffice/nouvelle-demande?appel=${unknownId}`);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toMatch(/<input[^>]*value="nouveau"[^>]*checked/);
    expect(unknown.body).toMatch(/name="usagerPhone"[^>]*value="\+33698765432"|value="\+33698765432"[^>]*name="usagerPhone"/);

    // Another agent's call is not found; a malformed id neither.
    expect((await page(bruno, `/backoffice/nouvelle-demande?appel=${a1}`)).statusCode).toBe(404);
    expect((await page(alice, '/backoffice/nouvelle-demande?appel=abc')).statusCode).toBe(404);
    expect((await page(admin, `/backoffice/nouvelle-demande?appel=${a1}`)).statusCode).toBe(200);
  });

  it('links the request registered from a call to it; an unknown caller’s new record gets the call in its history', async () => {
    const call = await callRow('appel-inconnu');
    const boundary = '----guichet-appel';
    const fields: Record<string, string> = {
      _csrf: alice.csrf,
      _cle: 'cle-appel-inconnu-0001',
      _action: 'envoyer',
      appel: String(call.id),
      canal: 'phone',
      usager: 'nouveau',
      usagerFirstNames: 'Paul',
      usagerLastName: 'Inconnu',
      usagerPhone: '+33698765432',
      demarche: 'signalement-voirie',
      categorie: 'eclairage',
      description: 'Lampadaire clignotant signalé par téléphone',
      dateReception: new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris' }).format(new Date()),
      accuse: 'none',
    };
    const send = (agent: TestAgent, values: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/backoffice/nouvelle-demande',
        headers: { cookie: agent.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Object.entries(values).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`,
      });
    // Bruno may not register from Alice's call.
    expect((await send(bruno, { ...fields, _csrf: bruno.csrf })).statusCode).toBe(404);
    const res = await send(alice, fields);
    expect(res.statusCode, res.body.slice(0, 3000)).toBe(303);
    const linked = await callRow('appel-inconnu');
    expect(linked.case_id).not.toBeNull();
    const created = await db.kysely.selectFrom('cases').select(['channel', 'citizen_id', 'reference']).where('id', '=', linked.case_id!).executeTakeFirstOrThrow();
    expect(created.channel).toBe('phone');
    expect(linked.citizen_id).toBe(created.citizen_id);
    const history = await page(alice, `/backoffice/usagers/${created.citizen_id}`);
    expect(history.body).toMatch(new RegExp(`Appel reçu — 06 98 76 54 32 — en cours\\s*— demande <a href="/backoffice/dossiers/${created.reference}">`));
    expect((await page(alice, '/backoffice/appels')).body).toContain(`Demande ${created.reference}`);
  });

  it('lets admins only give agents their extensions, one agent per extension', async () => {
    const url = '/backoffice/admin/postes-telephoniques';
    expect((await page(alice, url)).statusCode).toBe(403);
    const refused = await app.inject({ method: 'POST', url, headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: alice.csrf, [`poste-${alice.agentId}`]: '999' }).toString() });
    expect(refused.statusCode).toBe(403);
    const shown = await page(admin, url);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatch(new RegExp(`id="poste-${alice.agentId}"[^>]*value="101"`));
    const post = (fields: Record<string, string>) =>
      app.inject({ method: 'POST', url, headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: admin.csrf, ...fields }).toString() });
    const twice = await post({ [`poste-${admin.agentId}`]: '102' });
    expect(twice.statusCode).toBe(422);
    expect(twice.body).toContain('Le poste 102 de Bruno Voirie est aussi donné à Anne Admin');
    expect((await post({ [`poste-${admin.agentId}`]: 'poste 1' })).statusCode).toBe(422);
    expect((await post({ _csrf: 'faux', [`poste-${admin.agentId}`]: '103' })).statusCode).toBe(403);
    const ok = await post({ [`poste-${admin.agentId}`]: ' 103 ' });
    expect(ok.statusCode).toBe(303);
    expect((await db.kysely.selectFrom('agents').select('phone_extension').where('id', '=', admin.agentId).executeTakeFirstOrThrow()).phone_extension).toBe('103');
    expect((await page(admin, '/backoffice/appels')).body).toContain('Votre numéro de poste : 103');
    expect(await post({ [`poste-${admin.agentId}`]: '' })).toMatchObject({ statusCode: 303 });
    expect((await db.kysely.selectFrom('agents').select('phone_extension').where('id', '=', admin.agentId).executeTakeFirstOrThrow()).phone_extension).toBeNull();
    expect((await page(admin, '/backoffice/appels')).body).toContain('Vous n’avez pas de numéro de poste');
  });

  it('streams a screen pop to the agent of the extension only', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const open = (agent: TestAgent) =>
      new Promise<{ chunks: string[]; close: () => void }>((resolve, reject) => {
        const chunks: string[] = [];
        const req = http.get(`${base}/backoffice/appels/evenements`, { headers: { cookie: agent.cookie } }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toContain('text/event-stream');
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => chunks.push(chunk));
          resolve({ chunks, close: () => req.destroy() });
        });
        req.on('error', (error) => (error.message.includes('aborted') || error.message.includes('socket hang up') ? undefined : reject(error)));
      });
    const a = await open(alice);
    const b = await open(bruno);
    try {
    await new Promise((r) => setTimeout(r, 300));
    const before = { a: a.chunks.join(''), b: b.chunks.join('') };
    // The once unknown number (now Paul Inconnu's record) still rings on Alice's extension: her stream shows it from the start.
    expect(before.a).toContain('event: call');
    expect(before.a).toContain('Paul Inconnu');
    expect(before.b).not.toContain('event: call');

    await json({ event: 'newCall', callId: 'appel-live', from: '06 12 34 56 78', to: '0247000000', direction: 'in', extension: '101' });
    await expect.poll(() => a.chunks.join('').includes('Claire Martin'), { timeout: 5_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(b.chunks.join('')).not.toContain('event: call');
    const live = a.chunks.join('').split('\n\n').find((e) => e.includes('Claire Martin'))!;
    expect(live).toContain(`/backoffice/usagers/${citizenId}`);
    expect(live).toContain('Créer une demande à partir de cet appel');

    // Bruno answers: the pop leaves Alice's page and reaches his.
    await json({ event: 'answer', callId: 'appel-live', from: '06 12 34 56 78', to: '0247000000', direction: 'in', answeringNumber: '102' });
    const id = (await callRow('appel-live')).id;
    await expect.poll(() => a.chunks.join('').includes(`event: call-removed\ndata: {"id":${id}}`), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => b.chunks.join('').includes('Appel en cours'), { timeout: 5_000 }).toBe(true);
    await json({ event: 'hangup', callId: 'appel-live', from: '06 12 34 56 78', to: '0247000000', direction: 'in', cause: 'normalClearing' });
    await expect.poll(() => b.chunks.join('').includes('Appel terminé'), { timeout: 5_000 }).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);

  it('ends the open streams when the server closes (a shutdown never waits for browsers)', async () => {
    const address = app.server.address() as { port: number } | null;
    const base = address ? `http://127.0.0.1:${address.port}` : await app.listen({ port: 0, host: '127.0.0.1' });
    const ended = new Promise<void>((resolve, reject) => {
      http
        .get(`${base}/backoffice/appels/evenements`, { headers: { cookie: alice.cookie } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    const closed = await Promise.race([app.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('timeout'), 5_000))]);
    expect(closed).toBe('closed');
    await ended;
  });
});
