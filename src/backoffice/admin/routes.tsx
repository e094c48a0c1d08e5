import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentRoleTable } from '../../db/schema.js';
import type { App } from '../../http/context.js';
import type { FieldProblem } from '../../http/ui/layout.js';
import { organisationRepository } from '../../organisations/repository.js';
import { accessLogRepository } from '../access-log.js';
import { sendBackofficePage } from '../page.js';
import { authorizeAdmin, scopeOf, type AgentScope } from '../policy.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../session.js';
import { adminRepository } from './repository.js';
import { agentOf, createAgent, resetPassword, resetTotp, setAgentActive, setRoles, type RoleAssignment } from './service.js';
import { AccessLogPage } from './views/access-log.js';
import { AgentPage, AdminHomePage, NewAgentPage, PasswordShownOncePage, type DepartmentChoice, type NewAgentValues } from './views/agents.js';

const hidden = { hide: true };
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const ROLES: readonly AgentRoleTable['role'][] = ['agent', 'manager', 'admin'];
const LOG_PAGE = 50;

/** Notices after a redirection, by the `?avis=` it carries. */
const NOTICES: Record<string, string> = {
  parametres: 'Les paramètres sont enregistrés.',
  roles: 'Les rôles sont enregistrés.',
  desactive: 'Le compte est désactivé et ses sessions sont fermées.',
  reactive: 'Le compte est réactivé.',
  'double-authentification': 'La double authentification est réinitialisée : l’agent la configurera à sa prochaine connexion.',
};

function field(body: unknown, name: string, max = 300): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim().slice(0, max + 1) : '';
}

/** `role-<department id>` fields → roles; unknown departments or roles are problems, not silently dropped. */
function rolesFrom(body: unknown, departments: DepartmentChoice[]): { roles: RoleAssignment[]; chosen: Map<number, string>; problem: FieldProblem | null } {
  const roles: RoleAssignment[] = [];
  const chosen = new Map<number, string>();
  let problem: FieldProblem | null = null;
  for (const d of departments) {
    const value = field(body, `role-${d.id}`, 20);
    if (!value) continue;
    chosen.set(d.id, value);
    if ((ROLES as readonly string[]).includes(value)) roles.push({ departmentId: d.id, role: value as AgentRoleTable['role'] });
    else problem = { target: `role-${d.id}`, message: `Choisissez un rôle de la liste pour le service ${d.name}` };
  }
  return { roles, chosen, problem };
}

/**
 * The administration of the back-office (admins only): agents and their roles, deactivation
 * (which ends their sessions), second factor and password resets, the organisation's
 * second-factor rule, and the access log. The workflow editor is its own module (`workflows/`).
 */
export async function adminRoutes(app: App): Promise<void> {
  const db = app.ctx.db;

  /** The signed-in admin, or null when a redirection (not signed in) was sent; a 403 page for others. */
  async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<{ session: AgentSession; scope: AgentScope } | null> {
    const session = await requireAgent(request, reply);
    if (!session) return null;
    const scope = await scopeOf(request, session);
    authorizeAdmin(scope);
    if (request.method === 'POST') checkAgentRequestCsrf(request, session);
    return { session, scope };
  }

  const departmentsOf = async (organisationId: number): Promise<DepartmentChoice[]> =>
    (await organisationRepository.listDepartments(db.kysely, organisationId)).map((d) => ({ id: d.id, name: d.name }));

  const agentIdOf = (request: FastifyRequest) => Number((request.params as { id: string }).id);
  const notice = (request: FastifyRequest) => NOTICES[field(request.query, 'avis', 40)] ?? null;
  const page = (request: FastifyRequest, reply: FastifyReply, who: { session: AgentSession; scope: AgentScope }, title: string, body: preact.ComponentChildren, status = 200) =>
    sendBackofficePage(request, reply, { status, title, session: who.session, scope: who.scope, section: 'admin', body });

  app.get('/backoffice/admin', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const organisationId = who.session.organisationId;
    const [agents, totpRequired] = await Promise.all([adminRepository.listAgents(db.kysely, organisationId), adminRepository.totpRequired(db.kysely, organisationId)]);
    return page(request, reply, who, 'Administration', <AdminHomePage csrf={who.session.csrf} agents={agents} totpRequired={totpRequired} notice={notice(request)} />);
  });

  app.post('/backoffice/admin/parametres', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    await adminRepository.setTotpRequired(db.kysely, who.session.organisationId, field(request.body, 'totpRequired') === 'oui');
    return reply.redirect('/backoffice/admin?avis=parametres', 303);
  });

  // Agents ----------------------------------------------------------------------------------------

  const newAgentPage = async (request: FastifyRequest, reply: FastifyReply, who: { session: AgentSession; scope: AgentScope }, values: NewAgentValues, problems: FieldProblem[]) =>
    page(
      request,
      reply,
      who,
      problems.length > 0 ? 'Erreur — Créer un compte agent' : 'Créer un compte agent',
      <NewAgentPage csrf={who.session.csrf} departments={await departmentsOf(who.session.organisationId)} values={values} problems={problems} />,
      problems.length > 0 ? 422 : 200,
    );

  app.get('/backoffice/admin/agents/nouveau', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    return newAgentPage(request, reply, who, { email: '', name: '', roles: new Map() }, []);
  });

  app.post('/backoffice/admin/agents', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const organisationId = who.session.organisationId;
    const email = field(request.body, 'email').toLowerCase();
    const name = field(request.body, 'name', 100);
    const { roles, chosen, problem } = rolesFrom(request.body, await departmentsOf(organisationId));
    const problems: FieldProblem[] = [];
    if (!email) problems.push({ target: 'email', message: 'Saisissez l’adresse électronique de l’agent' });
    else if (email.length > 254 || !EMAIL.test(email)) problems.push({ target: 'email', message: 'Saisissez une adresse électronique valide, par exemple prenom.nom@ville.fr' });
    else if (await adminRepository.emailTaken(db.kysely, organisationId, email)) problems.push({ target: 'email', message: 'Un agent a déjà cette adresse électronique' });
    if (!name) problems.push({ target: 'name', message: 'Saisissez le prénom et le nom de l’agent' });
    else if (name.length > 100) problems.push({ target: 'name', message: 'Le nom doit contenir au plus 100 caractères' });
    if (problem) problems.push(problem);
    if (problems.length > 0) return newAgentPage(request, reply, who, { email, name, roles: chosen }, problems);
    const created = await createAgent(db, organisationId, { email, name, roles });
    // Shown once, in the answer to the post itself: a redirect would have to keep the password somewhere.
    void reply.header('cache-control', 'no-store');
    return page(request, reply, who, 'Compte agent créé', <PasswordShownOncePage agent={{ id: created.agentId, name, email }} password={created.password} created />, 201);
  });

  const agentPage = async (request: FastifyRequest, reply: FastifyReply, who: { session: AgentSession; scope: AgentScope }, problems: FieldProblem[]) => {
    const agent = await agentOf(db, who.session.organisationId, agentIdOf(request));
    return page(
      request,
      reply,
      who,
      problems.length > 0 ? `Erreur — ${agent.name}` : agent.name,
      <AgentPage
        csrf={who.session.csrf}
        agent={agent}
        departments={await departmentsOf(who.session.organisationId)}
        problems={problems}
        notice={notice(request)}
        self={agent.id === who.session.agentId}
      />,
      problems.length > 0 ? 422 : 200,
    );
  };

  app.get('/backoffice/admin/agents/:id', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    return agentPage(request, reply, who, []);
  });

  app.post('/backoffice/admin/agents/:id/roles', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const agentId = agentIdOf(request);
    await agentOf(db, who.session.organisationId, agentId);
    const { roles, problem } = rolesFrom(request.body, await departmentsOf(who.session.organisationId));
    if (problem) return agentPage(request, reply, who, [problem]);
    await setRoles(db, who.session.organisationId, who.session.agentId, agentId, roles);
    return reply.redirect(`/backoffice/admin/agents/${agentId}?avis=roles`, 303);
  });

  for (const [path, active] of [
    ['desactiver', false],
    ['reactiver', true],
  ] as const) {
    app.post(`/backoffice/admin/agents/:id/${path}`, { schema: hidden }, async (request, reply) => {
      const who = await requireAdmin(request, reply);
      if (!who) return reply;
      const agentId = agentIdOf(request);
      await setAgentActive(db, who.session.organisationId, who.session.agentId, agentId, active);
      return reply.redirect(`/backoffice/admin/agents/${agentId}?avis=${active ? 'reactive' : 'desactive'}`, 303);
    });
  }

  app.post('/backoffice/admin/agents/:id/reinitialiser-double-authentification', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const agentId = agentIdOf(request);
    await resetTotp(db, who.session.organisationId, agentId);
    return reply.redirect(`/backoffice/admin/agents/${agentId}?avis=double-authentification`, 303);
  });

  app.post('/backoffice/admin/agents/:id/reinitialiser-mot-de-passe', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const agent = await agentOf(db, who.session.organisationId, agentIdOf(request));
    const password = await resetPassword(db, who.session.organisationId, agent.id);
    void reply.header('cache-control', 'no-store');
    return page(request, reply, who, 'Mot de passe réinitialisé', <PasswordShownOncePage agent={agent} password={password} created={false} />);
  });

  // Access log ------------------------------------------------------------------------------------

  app.get('/backoffice/admin/journal-des-acces', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const organisationId = who.session.organisationId;
    const agentParam = field(request.query, 'agent', 12);
    const citizen = field(request.query, 'usager', 12);
    const before = field(request.query, 'avant', 20);
    const agentId = /^\d{1,9}$/.test(agentParam) ? Number(agentParam) : null;
    const citizenOk = /^\d{1,9}$/.test(citizen);
    const citizenProblem = citizen && !citizenOk ? 'Le numéro d’usager est un nombre entier, par exemple 1234' : null;
    const rows = await accessLogRepository.list(db.kysely, organisationId, {
      ...(agentId !== null ? { agentId } : {}),
      ...(citizenOk ? { citizenId: Number(citizen) } : {}),
      ...(/^\d{1,15}$/.test(before) ? { beforeId: Number(before) } : {}),
      limit: LOG_PAGE + 1,
    });
    const shown = rows.slice(0, LOG_PAGE);
    const older =
      rows.length > LOG_PAGE
        ? `/backoffice/admin/journal-des-acces?${new URLSearchParams({ ...(agentId !== null ? { agent: String(agentId) } : {}), ...(citizenOk ? { usager: citizen } : {}), avant: String(shown.at(-1)!.id) }).toString()}`
        : null;
    return page(
      request,
      reply,
      who,
      citizenProblem ? 'Erreur — Journal des accès' : 'Journal des accès',
      <AccessLogPage rows={shown} agents={await adminRepository.agentNames(db.kysely, organisationId)} filters={{ agentId, citizen }} olderHref={older} citizenProblem={citizenProblem} />,
      citizenProblem ? 422 : 200,
    );
  });
}
