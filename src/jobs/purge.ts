import { jobRepository } from './repository.js';
import type { JobType } from './registry.js';

/** Done jobs are kept this long (to look into what ran), then deleted. */
export const DONE_JOBS_KEPT_DAYS = 7;
const BATCH = 10_000;

/** Hourly: keeps the jobs table to what is pending, running, dead or recently done. */
export const purgeDoneJobs: JobType<Record<string, never>> = {
  type: 'jobs.purge',
  description: `Suppression des tâches terminées depuis plus de ${DONE_JOBS_KEPT_DAYS} jours`,
  every: 3_600_000,
  async handle(ctx) {
    const before = new Date(Date.now() - DONE_JOBS_KEPT_DAYS * 86_400_000).toISOString();
    let deleted = 0;
    for (;;) {
      const n = await jobRepository.purgeDone(ctx.db.kysely, before, BATCH);
      deleted += n;
      if (n < BATCH) break;
    }
    if (deleted > 0) ctx.log.info({ deleted }, 'done jobs purged');
  },
};
