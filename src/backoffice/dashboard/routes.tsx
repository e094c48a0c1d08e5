import type { App } from '../../http/context.js';

/** The dashboard of agents and managers, per department. */
export async function dashboardRoutes(_app: App): Promise<void> {}
