import type { App } from '../../http/context.js';
import { sendBackofficePage } from '../page.js';
import { scopeOf } from '../policy.js';
import { requireAgent } from '../session.js';
import { dashboardFor } from './service.js';
import { DashboardPage } from './views/dashboard.js';

/** The dashboard of agents and managers, per department. */
export async function dashboardRoutes(app: App): Promise<void> {
  const timezone = app.ctx.config.TIMEZONE;

  // Aggregates only, no citizen's data: nothing to write to the access log.
  app.get('/backoffice/tableau-de-bord', { schema: { hide: true } }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const scope = await scopeOf(request, session);
    const dashboard = await dashboardFor(app.ctx.db, scope, timezone);
    return sendBackofficePage(request, reply, { title: 'Tableau de bord', session, scope, section: 'dashboard', body: <DashboardPage dashboard={dashboard} timezone={timezone} /> });
  });
}
