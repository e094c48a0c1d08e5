import { accountMailJob } from '../accounts/jobs.js';
import { emailProcessJob } from '../channels/email/jobs.js';
import { sendMessageJob } from '../messages/jobs.js';
import { deadlineSweepJob, documentJob, timerJob, webhookJob } from '../workflow/jobs.js';
import { purgeDoneJobs } from './purge.js';
import type { JobType } from './registry.js';

/**
 * Every job type the application declares, with its handler. Workers (and `guichet jobs run`)
 * refuse to start when a pending job has a type missing here.
 */
export function applicationJobTypes(): JobType[] {
  return [sendMessageJob, timerJob, documentJob, webhookJob, deadlineSweepJob, purgeDoneJobs, accountMailJob, emailProcessJob] as JobType[];
}
