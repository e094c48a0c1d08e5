/**
 * Citizens in the back-office: search by name, birth date, e-mail and phone; the 360° view limited
 * to what the agent may see; merging two records; possible duplicates; access log, CSRF and 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCitizenQuery, searchCitizens } from '../src/citizens/search.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase, type IntakeRequest } from '../src/intake/service.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

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

  it('finds nobody for another organisation, or a merged record', async () => {
    expect(await searchCitizens(db.kysely, commune.organisationId + 999, 'dupont')).toEqual([]);
    const { citizenId } = await newCase({ firstNames: 'Zoé', lastName: 'Fusionnée', email: 'zoe@exemple.fr' });
    expect(await searchCitizens(db.kysely, commune.organisationId, 'fusionnee')).toHaveLength(1);
    await db.kysely.updateTable('citizens').set({ merged_into_id: elodie }).where('id', '=', citizenId).execute();
    expect(await searchCitizens(db.kysely, commune.organisationId, 'fusionnee')).toEqual([]);
  });
});
