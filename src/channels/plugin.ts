import type { App } from '../http/context.js';
import { emailRoutes } from './email/routes.js';
import { healthRoutes } from './health/routes.js';
import { open311Routes } from './open311/routes.js';
import { phoneRoutes } from './phone/routes.js';
import { smsRoutes } from './sms/routes.js';
import { webhooksRoutes } from './webhooks/routes.js';

/**
 * Every channel adapter's HTTP side (webhooks, Open311, the health page). Each adapter only
 * translates what it receives and hands it to the intake or to recordCitizenReply: no channel
 * writes cases by itself.
 */
export async function channelsPlugin(app: App): Promise<void> {
  await app.register(emailRoutes);
  await app.register(smsRoutes);
  await app.register(phoneRoutes);
  await app.register(open311Routes);
  await app.register(webhooksRoutes);
  await app.register(healthRoutes);
}
