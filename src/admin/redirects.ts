import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/context.js';
import { SLUG, WORKFLOWS_PATH } from '../backoffice/admin/workflows/paths.js';

const hidden = { hide: true };
const ADMIN_HOME = '/backoffice/admin';

/**
 * Where an old `/admin` address now lives. Only known shapes are mapped (a slug must look like
 * one before it is copied into the Location header); anything else goes to the administration's
 * home. The query string is dropped: the old pages had nothing worth keeping there.
 */
export function newAdminLocation(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  if (parts[0] !== 'admin') return ADMIN_HOME;
  if (parts.length === 2 && parts[1] === 'circuits') return WORKFLOWS_PATH;
  if (parts.length === 3 && parts[1] === 'circuits' && SLUG.test(parts[2]!)) return `${WORKFLOWS_PATH}/${parts[2]}`;
  if (parts.length >= 2 && parts[1] === 'circuits') return WORKFLOWS_PATH;
  return ADMIN_HOME;
}

/**
 * The old admin pages (`/admin`, signed in with an API token into a cookie of their own) moved to
 * the back-office, behind the agents' sessions. Every old address answers a permanent redirection
 * so bookmarks keep working; nothing here reads the old `guichet_admin` cookie, which now opens
 * nothing. A POST of an old form is redirected too (301: the browser follows with a GET, so the
 * form is not re-sent).
 */
export async function oldAdminRedirects(app: App): Promise<void> {
  const redirect = async (request: FastifyRequest, reply: FastifyReply) => reply.redirect(newAdminLocation(request.url), 301);
  app.route({ method: ['GET', 'POST'], url: '/admin', schema: hidden, handler: redirect });
  app.route({ method: ['GET', 'POST'], url: '/admin/*', schema: hidden, handler: redirect });
}
