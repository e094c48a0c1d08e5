import type { FastifyReply, FastifyRequest } from 'fastify';
import { render } from 'preact-render-to-string';
import { dismissDuplicate, mergeableCitizens, mergeCitizens, possibleDuplicates } from '../../citizens/merge.js';
import { mergeOf, splitMerge, splitRefusal } from '../../citizens/split.js';
import { confirmPhoneByAgent } from '../../citizens/verification.js';
import type { Executor } from '../../db/transaction.js';
import { parseCitizenQuery, searchCitizens, type CitizenHit } from '../../citizens/search.js';
import { citizen360, type Citizen360 } from '../../citizens/view-360.js';
import type { App } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import type { FieldProblem } from '../../http/ui/layout.js';
import { logAccess, logAccessWithin, type AccessAction } from '../access-log.js';
import { sendBackofficePage } from '../page.js';
import { authorizeCitizenRecords, canSeeCase, citizenMergeAccess, scopeOf, type AgentScope } from '../policy.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../session.js';
import { Citizen360Page, MergedRecordPage } from './views/citizen.js';
import { CitizenHitRadios } from './views/common.js';
import { DuplicatesPage } from './views/duplicates.js';
import { ComparePage, IDENTITY_CHECKS, MergeChoosePage, type CompareValues } from './views/merge.js';
import { SplitPage } from './views/split.js';
import { CitizenSearchPage } from './views/search.js';

const hidden = { hide: true };
const MERGE_FORBIDDEN = 'Seuls les responsables de service, les administrateurs, et les agents qui voient toutes les demandes des deux fiches peuvent les fusionner ou les séparer.';
const SEARCH_LIMIT = 25;
const QUERY_PROBLEM: FieldProblem = { target: 'q', message: 'Saisissez au moins deux lettres d’un nom, une date de naissance (JJ/MM/AAAA), un courriel ou un numéro de téléphone.' };

const queryOf = (request: FastifyRequest): Record<string, unknown> => (request.query ?? {}) as Record<string, unknown>;
const text = (value: unknown, max = 200): string => (typeof value === 'string' ? value.slice(0, max) : '');

/** A record id from the URL or a form; anything else is simply not found. */
function idOf(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) throw notFound('Aucune fiche usager de ce numéro.');
  return Number(value);
}

/**
 * Runs a search typed by an agent, logging that it ran (never its terms). Null when nothing was
 * typed; a problem when what was typed cannot be searched for.
 */
async function runSearch(request: FastifyRequest, session: AgentSession, query: string, limit = SEARCH_LIMIT): Promise<{ hits: CitizenHit[] | null; problems: FieldProblem[] }> {
  if (query.trim() === '') return { hits: null, problems: [] };
  if (parseCitizenQuery(query).kind === 'none') return { hits: null, problems: [QUERY_PROBLEM] };
  const hits = await searchCitizens(request.server.ctx.db.kysely, session.organisationId, query, limit);
  await logAccess(request, session, { action: 'search_citizens', detail: `${hits.length} résultat(s)` });
  return { hits, problems: [] };
}

/** The signed-in agent, if they may work with citizen records (else a redirection or a 403). */
async function citizenAgent(request: FastifyRequest, reply: FastifyReply): Promise<AgentSession | null> {
  const session = await requireAgent(request, reply);
  if (!session) return null;
  authorizeCitizenRecords(await scopeOf(request, session));
  return session;
}

/** The 360° view of a record the agent's organisation holds, cut down to what they may see. */
async function load360(request: FastifyRequest, session: AgentSession, id: number) {
  const scope = await scopeOf(request, session);
  const found = await citizen360(request.server.ctx.db.kysely, session.organisationId, id, (c) => canSeeCase(scope, c));
  if (!found) throw notFound('Aucune fiche usager de ce numéro.');
  return { found, scope };
}

/** The records among `ids` the agent may merge or split back (`citizenMergeAccess`), as a set. */
function mergeable(request: FastifyRequest, scope: AgentScope, ids: number[]): Promise<Set<number>> {
  return mergeableCitizens(request.server.ctx.db.kysely, scope.organisationId, ids, citizenMergeAccess(scope));
}

/** Asserts the agent may merge (or split) these records: a 403 otherwise, as the other refusals of the module. */
async function authorizeMergeOf(request: FastifyRequest, scope: AgentScope, ids: number[]): Promise<void> {
  const allowed = await mergeable(request, scope, ids);
  if (!ids.every((id) => allowed.has(id))) throw new AppError('forbidden', MERGE_FORBIDDEN);
}

/**
 * The access-log rows of a merge or a split, written in its transaction: one per record, one per
 * moved case (so that a case's trail shows who moved it between records).
 */
function auditOf(request: FastifyRequest, session: AgentSession, action: AccessAction) {
  return async (trx: Executor, m: { mergeId: number; keptId: number; mergedId: number; caseIds: number[] }) => {
    const detail = `${action === 'merge_citizens' ? 'fusion' : 'séparation de la fusion'} n° ${m.mergeId} : fiche n° ${m.mergedId} ${action === 'merge_citizens' ? '→' : '←'} fiche n° ${m.keptId}, ${m.caseIds.length} demande(s)`;
    for (const citizenId of [m.keptId, m.mergedId]) await logAccessWithin(trx, request, session, { action, citizenId, detail });
    for (const caseId of m.caseIds) await logAccessWithin(trx, request, session, { action, citizenId: m.mergedId, caseId, detail });
  };
}

/** The identity check the agent stated on the merge form, as stored with the merge; null when none. */
function identityCheckOf(values: CompareValues): string | null {
  const precision = values.precision.trim();
  const check = IDENTITY_CHECKS.find((c) => c.value === values.verification);
  if (!check) return null;
  if (check.value === 'autre') return precision ? `Autre : ${precision}` : null;
  return precision ? `${check.label} — ${precision}` : check.label;
}

/**
 * Citizens in the back-office: search, the 360° view, merging two records and splitting a merge
 * back, possible duplicates. Any signed-in agent may find any citizen of the organisation (they
 * register requests for anyone); the 360° view shows only the cases the agent's departments may
 * see. Merges and splits are for managers and admins, or agents who see every case of both
 * records (`citizenMergeAccess`); each is journaled on every moved case and access-logged in its
 * own transaction, and `citizen_merges` keeps exactly what moved.
 */
export async function citizenRoutes(app: App): Promise<void> {
  const timezone = () => app.ctx.config.TIMEZONE;

  app.get('/backoffice/usagers', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const query = text(queryOf(request)['q']);
    const [scope, { hits, problems }, duplicates] = await Promise.all([
      scopeOf(request, session),
      runSearch(request, session, query),
      possibleDuplicates(request.server.ctx.db.kysely, session.organisationId),
    ]);
    return sendBackofficePage(request, reply, {
      title: problems.length ? 'Erreur — Usagers' : query ? `Recherche « ${query} » — Usagers` : 'Usagers',
      session,
      scope,
      section: 'citizens',
      status: problems.length ? 422 : 200,
      body: <CitizenSearchPage query={query} hits={hits} problems={problems} duplicateCount={duplicates.length} />,
    });
  });

  // Search as you type (htmx) for the « Nouvelle demande » screen: a list of radios `citizenId`.
  app.get('/backoffice/usagers/recherche', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const query = text(queryOf(request)['q']);
    const parsed = parseCitizenQuery(query);
    const hits = parsed.kind === 'none' ? [] : ((await runSearch(request, session, query, 10)).hits ?? []);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .send(render(<CitizenHitRadios hits={hits} query={parsed.kind === 'none' ? '' : query} />));
  });

  app.get('/backoffice/usagers/doublons', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const [scope, pairs] = await Promise.all([scopeOf(request, session), possibleDuplicates(request.server.ctx.db.kysely, session.organisationId)]);
    if (pairs.length > 0) await logAccess(request, session, { action: 'search_citizens', detail: `doublons possibles : ${pairs.length} paire(s)` });
    const allowed = await mergeable(request, scope, [...new Set(pairs.flatMap((p) => [p.citizen.id, p.other.id]))]);
    return sendBackofficePage(request, reply, {
      title: 'Doublons possibles — Usagers',
      session,
      scope,
      section: 'citizens',
      body: <DuplicatesPage pairs={pairs} csrf={session.csrf} timezone={timezone()} dismissed={queryOf(request)['ecarte'] === '1'} mayMerge={(a, b) => allowed.has(a) && allowed.has(b)} />,
    });
  });

  app.get('/backoffice/usagers/:id', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const id = idOf((request.params as { id: string }).id);
    const { found, scope } = await load360(request, session, id);
    await logAccess(request, session, { action: 'view_citizen', citizenId: id });
    if ('merged' in found) {
      return sendBackofficePage(request, reply, { title: `${found.displayName} — fiche fusionnée`, session, scope, section: 'citizens', body: <MergedRecordPage r={found} /> });
    }
    const q = queryOf(request);
    const flash =
      q['fusion'] === 'ok'
        ? 'Les deux fiches ont été fusionnées.'
        : q['separation'] === 'ok'
          ? 'La fusion a été séparée : cette fiche a retrouvé ses demandes, coordonnées et documents.'
          : q['telephone'] === 'confirme'
            ? 'Numéro confirmé : le prochain appel depuis ce numéro affichera cette fiche.'
            : q['doublon'] === 'ecarte'
            ? 'C’est noté : cette fiche n’est plus signalée comme un doublon possible.'
            : null;
    const allowed = await mergeable(request, scope, [id, ...(found.possibleDuplicateOf ? [found.possibleDuplicateOf.id] : []), ...found.merges.map((m) => m.mergedCitizenId)]);
    return sendBackofficePage(request, reply, {
      title: `${found.displayName} — Usagers`,
      session,
      scope,
      section: 'citizens',
      body: <Citizen360Page c={found} csrf={session.csrf} timezone={timezone()} flash={flash} mayMerge={(other) => allowed.has(id) && (other === undefined || allowed.has(other))} />,
    });
  });

  app.get('/backoffice/usagers/:id/fusionner', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const id = idOf((request.params as { id: string }).id);
    const q = queryOf(request);
    if (q['avec'] !== undefined) return showCompare(request, reply, session, id, idOf(q['avec']), [], null);
    return showChoose(request, reply, session, id, text(q['q']), []);
  });

  app.post('/backoffice/usagers/:id/fusionner', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const id = idOf((request.params as { id: string }).id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const other = idOf(body['avec']);
    const values: CompareValues = {
      conserver: text(body['conserver'], 20),
      identite: text(body['identite'], 20),
      confirmation: body['confirmation'] === 'oui',
      verification: text(body['verification'], 20),
      precision: text(body['precision'], 300),
    };
    // Who may merge is checked by the comparison page (shown again on errors) and, in the merge's
    // transaction, by `mergeCitizens` — each after « not found » for another organisation's records.
    const scope = await scopeOf(request, session);
    const problems: FieldProblem[] = [];
    const pair = [String(id), String(other)];
    if (!pair.includes(values.conserver)) problems.push({ target: `conserver-${id}`, message: 'Choisissez la fiche à conserver.' });
    if (!pair.includes(values.identite)) problems.push({ target: `identite-${id}`, message: 'Choisissez l’identité à conserver.' });
    if (values.verification !== '' && !IDENTITY_CHECKS.some((c) => c.value === values.verification)) problems.push({ target: 'verification-piece', message: 'Choisissez comment l’identité a été vérifiée.' });
    if (values.verification === 'autre' && values.precision.trim() === '') problems.push({ target: 'precision', message: 'Précisez comment l’identité a été vérifiée.' });
    if (!values.confirmation) problems.push({ target: 'confirmation', message: 'Confirmez que les deux fiches concernent la même personne.' });
    if (problems.length) return showCompare(request, reply, session, id, other, problems, values);
    const keptId = Number(values.conserver);
    const mergedId = keptId === id ? other : id;
    try {
      await mergeCitizens(request.server.ctx.db, {
        organisationId: session.organisationId,
        agentId: session.agentId,
        keptId,
        mergedId,
        identityFrom: values.identite === String(keptId) ? 'kept' : 'merged',
        access: citizenMergeAccess(scope),
        identityCheck: identityCheckOf(values),
        audit: auditOf(request, session, 'merge_citizens'),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      const target = (field: string) => (field === 'identite' ? `identite-${id}` : field === 'verification' ? 'verification-piece' : `conserver-${id}`);
      const refused = error.errors.map((e) => ({ target: target(e.field), message: e.message }));
      return showCompare(request, reply, session, id, other, refused, values);
    }
    return reply.redirect(`/backoffice/usagers/${keptId}?fusion=ok`, 303);
  });

  app.get('/backoffice/usagers/:id/fusions/:fusion/separer', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    const params = request.params as { id: string; fusion: string };
    return showSplit(request, reply, session, idOf(params.id), idOf(params.fusion), []);
  });

  app.post('/backoffice/usagers/:id/fusions/:fusion/separer', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const params = request.params as { id: string; fusion: string };
    const [id, mergeId] = [idOf(params.id), idOf(params.fusion)];
    const scope = await scopeOf(request, session);
    const merge = await mergeOf(request.server.ctx.db.kysely, session.organisationId, id, mergeId);
    if (!merge) throw notFound('Aucune fusion de ce numéro sur cette fiche.');
    await authorizeMergeOf(request, scope, [merge.kept_citizen_id, merge.merged_citizen_id]);
    if (((request.body ?? {}) as Record<string, unknown>)['confirmation'] !== 'oui') {
      return showSplit(request, reply, session, id, mergeId, [{ target: 'confirmation', message: 'Confirmez que ces deux fiches concernent deux personnes différentes.' }]);
    }
    let mergedId: number;
    try {
      ({ mergedId } = await splitMerge(request.server.ctx.db, {
        organisationId: session.organisationId,
        agentId: session.agentId,
        keptId: id,
        mergeId,
        access: citizenMergeAccess(scope),
        audit: auditOf(request, session, 'split_citizens'),
      }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      return showSplit(request, reply, session, id, mergeId, error.errors.map((e) => ({ target: 'split-refused', message: e.message })));
    }
    return reply.redirect(`/backoffice/usagers/${mergedId}?separation=ok`, 303);
  });

  app.post('/backoffice/usagers/:id/telephones/:telephone/confirmer', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const params = request.params as { id: string; telephone: string };
    const id = idOf(params.id);
    // A record of another organisation, or merged away, is not found before anything changes.
    const { found } = await load360(request, session, id);
    if ('merged' in found) throw notFound('Aucune fiche usager de ce numéro.');
    await confirmPhoneByAgent(request.server.ctx.db.kysely, id, idOf(params.telephone), session.agentId);
    await logAccess(request, session, { action: 'verify_contact', citizenId: id, detail: 'numéro de téléphone confirmé par l’agent' });
    return reply.redirect(`/backoffice/usagers/${id}?telephone=confirme`, 303);
  });

  app.post('/backoffice/usagers/:id/pas-un-doublon', { schema: hidden }, async (request, reply) => {
    const session = await citizenAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const id = idOf((request.params as { id: string }).id);
    await dismissDuplicate(request.server.ctx.db, { organisationId: session.organisationId, agentId: session.agentId, citizenId: id });
    const back = ((request.body ?? {}) as Record<string, unknown>)['retour'] === 'doublons' ? '/backoffice/usagers/doublons?ecarte=1' : `/backoffice/usagers/${id}?doublon=ecarte`;
    return reply.redirect(back, 303);
  });

  /** Step 1 of a merge: the record, and a search for the other one (itself left out). */
  async function showChoose(request: FastifyRequest, reply: FastifyReply, session: AgentSession, id: number, query: string, extra: FieldProblem[]) {
    const { found, scope } = await load360(request, session, id);
    if ('merged' in found) return reply.redirect(`/backoffice/usagers/${id}`, 303);
    await authorizeMergeOf(request, scope, [id]);
    const { hits, problems } = await runSearch(request, session, query);
    const all = [...extra, ...problems];
    return sendBackofficePage(request, reply, {
      title: `${all.length ? 'Erreur — ' : ''}Fusionner la fiche de ${found.displayName}`,
      session,
      scope,
      section: 'citizens',
      status: all.length ? 422 : 200,
      body: <MergeChoosePage c={found} query={query} hits={hits?.filter((h) => h.id !== id) ?? null} problems={all} />,
    });
  }

  /** Step 2 of a merge: both records side by side, the choices, the confirmation. */
  async function showCompare(
    request: FastifyRequest,
    reply: FastifyReply,
    session: AgentSession,
    id: number,
    other: number,
    problems: FieldProblem[],
    values: CompareValues | null,
  ) {
    if (other === id) return showChoose(request, reply, session, id, '', [{ target: 'q', message: 'Une fiche ne peut pas être fusionnée avec elle-même : cherchez l’autre fiche.' }]);
    const [{ found: a, scope }, { found: b }] = await Promise.all([load360(request, session, id), load360(request, session, other)]);
    await authorizeMergeOf(request, scope, [id, other]);
    if ('merged' in a) return reply.redirect(`/backoffice/usagers/${id}`, 303);
    if ('merged' in b) return showChoose(request, reply, session, id, '', [{ target: 'q', message: `La fiche n° ${other} a déjà été fusionnée dans une autre fiche : cherchez celle-ci.` }]);
    await logAccess(request, session, { action: 'view_citizen', citizenId: id, detail: 'comparaison avant fusion' });
    await logAccess(request, session, { action: 'view_citizen', citizenId: other, detail: 'comparaison avant fusion' });
    return sendBackofficePage(request, reply, {
      title: `${problems.length ? 'Erreur — ' : ''}Comparer ${a.displayName} et ${b.displayName}`,
      session,
      scope,
      section: 'citizens',
      status: problems.length ? 422 : 200,
      body: <ComparePage a={a} b={b} csrf={session.csrf} problems={problems} values={values ?? defaultChoices(a, b)} />,
    });
  }

  /** « Séparer »: what the split moves back, and its confirmation (or why it cannot be done). */
  async function showSplit(request: FastifyRequest, reply: FastifyReply, session: AgentSession, id: number, mergeId: number, problems: FieldProblem[]) {
    const { found, scope } = await load360(request, session, id);
    const merge = 'merged' in found ? undefined : found.merges.find((m) => m.id === mergeId);
    if ('merged' in found || !merge) throw notFound('Aucune fusion de ce numéro sur cette fiche.');
    await authorizeMergeOf(request, scope, [id, merge.mergedCitizenId]);
    const record = await mergeOf(request.server.ctx.db.kysely, session.organisationId, id, mergeId);
    const refusal = record ? splitRefusal(record, { merged_into_id: null }) : null;
    await logAccess(request, session, { action: 'view_citizen', citizenId: merge.mergedCitizenId, detail: 'avant séparation d’une fusion' });
    return sendBackofficePage(request, reply, {
      title: `${problems.length ? 'Erreur — ' : ''}Séparer la fiche de ${merge.snapshot.citizen.displayName}`,
      session,
      scope,
      section: 'citizens',
      status: problems.length ? 422 : 200,
      body: <SplitPage c={found} merge={merge} csrf={session.csrf} problems={problems} refusal={refusal} timezone={timezone()} />,
    });
  }
}

/** Keep the page's record, and the surer identity of the two (the page's one when equal). */
function defaultChoices(a: Citizen360, b: Citizen360) {
  const rank = { declared: 0, counter: 1, franceconnect: 2 } as const;
  const identity = rank[b.identityAssurance] > rank[a.identityAssurance] ? b : a;
  return { conserver: String(a.id), identite: String(identity.id), confirmation: false, verification: '', precision: '' };
}
