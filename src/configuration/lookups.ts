import type { Executor } from '../db/transaction.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { workflowRepository } from '../workflow/repository.js';
import { cachedConfiguration } from './cache.js';

/**
 * The configuration that pages read on every request, through the process's cache (cache.ts):
 * a case page needs its procedure, its workflow version and the town's departments, and on
 * PostgreSQL each was a round trip. The values are shared between requests: never modify them.
 */
export const configurationLookups = {
  procedure: (db: Executor, id: number) => cachedConfiguration(db, `procedure:${id}`, () => procedureRepository.findById(db, id)),
  /** A published workflow version never changes. */
  workflowVersion: (db: Executor, id: number) => cachedConfiguration(db, `workflow-version:${id}`, () => workflowRepository.byId(db, id)),
  departments: (db: Executor, organisationId: number) =>
    cachedConfiguration(db, `departments:${organisationId}`, () => organisationRepository.listDepartments(db, organisationId)),
};
