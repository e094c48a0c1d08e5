import { sendMessageJob } from '../messages/jobs.js';
import { deadlineSweepJob, documentJob, timerJob, webhookJob } from '../workflow/jobs.js';
import type { JobType } from './registry.js';

/**
 * Every job type the application declares, with its handler. Workers refuse to start when a
 * pending job has a type missing here, and enqueueing an unknown type fails at once.
 */
export function applicationJobTypes(): JobType[] {
  return [sendMessageJob, timerJob, documentJob, webhookJob, deadlineSweepJob] as JobType[];
}
