import type { App } from '../http/context.js';
import { channelAdminRoutes } from './admin/channels/routes.js';
import { adminRoutes } from './admin/routes.js';
import { workflowAdminRoutes } from './admin/workflows/routes.js';
import { backofficeAssetRoutes } from './assets/routes.js';
import { authRoutes } from './auth/routes.js';
import { callRoutes } from './calls/routes.js';
import { caseActionRoutes } from './cases/actions/routes.js';
import { replyRoutes } from './cases/reply/routes.js';
import { caseRoutes } from './cases/routes.js';
import { citizenRoutes } from './citizens/routes.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { inboxRoutes } from './inbox/routes.js';
import { sendBackofficePage } from './page.js';
import { registrationRoutes } from './registration/routes.js';
import { agentSessionOf } from './session.js';
import { templateRoutes } from './templates/routes.js';
import { BackofficeErrorPage } from './views/error.js';

/**
 * The agents' back-office under `/backoffice`: each area is its own module; this plugin only
 * registers them and renders errors as back-office pages.
 */
export async function backofficePlugin(app: App): Promise<void> {
  app.htmlErrorRenderers.push({
    prefix: '/backoffice',
    render: async (problem, request, reply) => {
      const session = await agentSessionOf(request).catch(() => null);
      return sendBackofficePage(request, reply, {
        status: problem.status,
        title: problem.status === 404 ? 'Page introuvable' : problem.status === 403 ? 'Accès refusé' : 'Erreur',
        session: session?.stage === 'ready' ? session : null,
        body: <BackofficeErrorPage problem={problem} />,
      });
    },
  });
  app.get('/backoffice', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/backoffice/dossiers', 303));
  await app.register(backofficeAssetRoutes);
  await app.register(authRoutes);
  await app.register(inboxRoutes);
  await app.register(caseRoutes);
  await app.register(caseActionRoutes);
  await app.register(replyRoutes);
  await app.register(templateRoutes);
  await app.register(citizenRoutes);
  await app.register(registrationRoutes);
  await app.register(callRoutes);
  await app.register(dashboardRoutes);
  await app.register(adminRoutes);
  await app.register(channelAdminRoutes);
  await app.register(workflowAdminRoutes);
}
