/**
 * How a case's status reads in GeoReport v2 (open/closed) and in mySociety's updates extension
 * (FixMyStreet's OPEN, IN_PROGRESS, ACTION_SCHEDULED, FIXED…). Workflows are configured per
 * town, so the mapping goes by the status's category (what it means), with two well-known
 * meanings recognised from the status id: a scheduled intervention and a duplicate.
 */
import type { Status } from '../../workflow/definition.js';

export type UpdateStatus =
  | 'OPEN'
  | 'INVESTIGATING'
  | 'IN_PROGRESS'
  | 'ACTION_SCHEDULED'
  | 'FIXED'
  | 'DUPLICATE'
  | 'NOT_COUNCILS_RESPONSIBILITY'
  | 'NO_FURTHER_ACTION'
  | 'CLOSED';

const SCHEDULED = /planifi|programm|schedul|rendez/i;
const DUPLICATE = /doublon|duplicate|deja_signale/i;

/** The extension's status for a workflow status; a case without workflow is OPEN or CLOSED. */
export function updateStatus(status: Status | undefined, closed: boolean): UpdateStatus {
  if (!status) return closed ? 'CLOSED' : 'OPEN';
  switch (status.category) {
    case 'new':
      return 'OPEN';
    case 'in_progress':
      return SCHEDULED.test(status.id) ? 'ACTION_SCHEDULED' : 'IN_PROGRESS';
    case 'waiting_citizen':
    case 'waiting_third_party':
      return 'INVESTIGATING';
    case 'closed_accepted':
      return 'FIXED';
    case 'closed_refused':
      return 'NOT_COUNCILS_RESPONSIBILITY';
    case 'closed_without_action':
      return DUPLICATE.test(status.id) ? 'DUPLICATE' : 'NO_FURTHER_ACTION';
  }
}
