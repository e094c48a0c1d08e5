import type { Db } from '../src/db/database.js';
import { toJson } from '../src/db/transaction.js';
import type { FormDefinition } from '../src/procedures/form/definition.js';
import { procedureRepository, type NewProcedure } from '../src/procedures/repository.js';
import { routingRepository, type RoutingRule } from '../src/routing/repository.js';
import { createToken, type Scope } from '../src/tokens/service.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import { submitCase } from '../src/intake/service.js';

const now = () => new Date().toISOString();

/** Builders of test data through the real repositories; each returns what tests need to refer to it. */
export async function makeOrganisation(db: Db, slug = 'ville-test') {
  const row = await db.kysely
    .insertInto('organisations')
    .values({ slug, name: `Ville ${slug}`, cog: null, siren: null, address: null, email: null, phone: null, website: null, branding: toJson({}), created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function makeDepartment(db: Db, organisationId: number, slug: string, options: { reception?: boolean; parentId?: number } = {}) {
  forgetConfiguration();
  const row = await db.kysely
    .insertInto('departments')
    .values({
      organisation_id: organisationId,
      parent_id: options.parentId ?? null,
      slug,
      name: slug.charAt(0).toUpperCase() + slug.slice(1),
      email: `${slug}@ville-test.fr`,
      phone: '+33100000000',
      address: '1 place de la Mairie, 99000 Ville-Test',
      opening_hours: toJson({ mon: [['08:30', '17:30']], tue: [['08:30', '17:30']], wed: [['08:30', '17:30']], thu: [['08:30', '17:30']], fri: [['08:30', '17:30']] }),
      is_reception: options.reception ? 1 : 0,
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const streetReportForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'signalement',
      title: 'Le problème',
      fields: [
        {
          type: 'select',
          name: 'categorie',
          label: 'Type de problème',
          required: true,
          options: [
            { value: 'nid_de_poule', label: 'Nid-de-poule' },
            { value: 'eclairage', label: 'Éclairage public' },
            { value: 'depot_sauvage', label: 'Dépôt sauvage' },
            { value: 'autre', label: 'Autre' },
          ],
        },
        { type: 'text', name: 'precision', label: 'Précisez', required: true, visibleWhen: { field: 'categorie', op: 'eq', value: 'autre' } },
        { type: 'textarea', name: 'description', label: 'Description', required: true, maxLength: 2000 },
        { type: 'geolocation', name: 'position', label: 'Emplacement' },
        { type: 'date', name: 'constate', label: 'Constaté le', max: 'today' },
        { type: 'file', name: 'photo', label: 'Photo', accept: ['image/jpeg', 'image/png'], maxFiles: 2 },
      ],
    },
  ],
};

export async function makeProcedure(db: Db, organisationId: number, departmentId: number, overrides: Partial<NewProcedure> = {}) {
  const procedure: NewProcedure = {
    organisationId,
    slug: 'signalement-voirie',
    title: 'Signaler un problème de voirie',
    category: 'Cadre de vie',
    description: 'Nid-de-poule, éclairage, dépôt sauvage…',
    form: streetReportForm,
    departmentId,
    target: { value: 10, unit: 'business_days' },
    silence: { regime: 'none', delay: null },
    retentionDays: 730,
    allowAnonymous: true,
    isOnline: true,
    isLocated: true,
    ...overrides,
  };
  return procedureRepository.insert(db.kysely, procedure, now());
}

export async function makeRule(db: Db, organisationId: number, rule: Omit<RoutingRule, 'id'>) {
  return routingRepository.insert(db.kysely, organisationId, rule);
}

export async function makeToken(db: Db, organisationId: number, scopes: Scope[]) {
  return (await createToken(db.kysely, organisationId, `test ${scopes.join(' ')}`, scopes)).token;
}

/** A small commune: reception, a roads department with a cleaning sub-department, one procedure, tokens. */
export async function makeCommune(db: Db) {
  const organisationId = await makeOrganisation(db);
  const reception = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  const roads = await makeDepartment(db, organisationId, 'voirie');
  const cleaning = await makeDepartment(db, organisationId, 'proprete', { parentId: roads });
  const procedureId = await makeProcedure(db, organisationId, roads);
  await makeRule(db, organisationId, {
    procedureId,
    position: 1,
    name: 'Dépôts sauvages → Propreté',
    condition: { field: 'categorie', op: 'eq', value: 'depot_sauvage' },
    sector: null,
    departmentId: cleaning,
  });
  return {
    organisationId,
    departments: { reception, roads, cleaning },
    procedureId,
    tokens: {
      write: await makeToken(db, organisationId, ['cases:write']),
      read: await makeToken(db, organisationId, ['cases:read']),
      all: await makeToken(db, organisationId, ['cases:read', 'cases:write']),
    },
  };
}

/** A lighting street report submitted online to `makeCommune`'s procedure; the intake's receipt. */
export async function submitLightingReport(db: Db, organisationId: number, citizen: Record<string, unknown> | null, description: string) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
    {
      organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'system', id: null },
      citizen,
      data: { categorie: 'eclairage', description },
      hiddenFields: 'drop',
    },
  );
  return receipt;
}
