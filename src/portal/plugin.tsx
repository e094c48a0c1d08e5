import compress from '@fastify/compress';
import type { App } from '../http/context.js';
import { accountRoutes } from '../accounts/routes.js';
import { franceConnectRoutes } from '../franceconnect/routes.js';
import { acknowledgmentRoutes } from '../acknowledgments/routes.js';
import { portalAssetRoutes } from './assets/routes.js';
import { myCasesRoutes } from './cases/routes.js';
import { addressRoutes } from './forms/fields/address-routes.js';
import { formRoutes } from './forms/routes.js';
import { legalRoutes } from './legal/routes.js';
import { portalRoutes } from './routes.js';
import { trackingApiRoutes } from './tracking-api.js';
import { spaceRoutes } from './space/routes.js';
import { sendPortalPage } from './page.js';
import { ErrorPage } from './views/error.js';

/** The whole citizen portal: its pages, its assets, and its error pages. */
export async function portalPlugin(app: App): Promise<void> {
  app.htmlErrorRenderers.push({
    prefix: '/',
    render: (problem, request, reply) =>
      sendPortalPage(request, reply, {
        status: problem.status,
        title: problem.status === 404 ? 'Page introuvable' : 'Erreur',
        body: <ErrorPage problem={problem} />,
      }),
  });
  // Pages, CSS and JS of the portal go out gzip/br when the browser accepts it (registered first: it hooks the routes declared after it).
  await app.register(compress, { encodings: ['br', 'gzip'] });
  await app.register(portalAssetRoutes);
  await app.register(portalRoutes);
  await app.register(trackingApiRoutes);
  await app.register(accountRoutes);
  await app.register(franceConnectRoutes);
  await app.register(formRoutes);
  await app.register(addressRoutes);
  await app.register(myCasesRoutes);
  await app.register(spaceRoutes);
  await app.register(legalRoutes);
  await app.register(acknowledgmentRoutes);
}
