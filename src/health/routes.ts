import { Type } from 'typebox';
import { isReachable } from '../db/database.js';
import type { App } from '../http/context.js';
import { AppError } from '../http/errors.js';

const Status = Type.Object({ status: Type.String() });

/** Liveness (the process answers) and readiness (the database answers), for orchestrators. */
export async function healthRoutes(app: App): Promise<void> {
  app.get('/healthz', { schema: { tags: ['Exploitation'], summary: 'Le processus répond', security: [], response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['Exploitation'], summary: 'La base de données répond', security: [], response: { 200: Status } } }, async () => {
    if (!(await isReachable(app.ctx.db))) throw new AppError('unavailable', 'La base de données ne répond pas.');
    return { status: 'ready' };
  });
}
