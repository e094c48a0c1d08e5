import { cachedConfiguration } from '../../configuration/cache.js';
import { inboxRepository } from '../../cases/inbox-repository.js';
import type { Executor } from '../../db/transaction.js';
import { procedureRepository } from '../../procedures/repository.js';
import { workflowRepository } from '../../workflow/repository.js';
import type { AgentScope } from '../policy.js';
import { templatesFor } from '../templates/render.js';

/**
 * What the bulk action form offers: the agents of the agent's departments, the workflow actions
 * of the organisation's procedures (each case then says whether it was available there) and the
 * response templates of the agent's departments. Read through the configuration cache: the inbox
 * draws them on every page.
 */
export async function bulkChoices(db: Executor, scope: AgentScope) {
  const key = `${scope.organisationId}:${[...scope.departmentIds].sort().join(',')}`;
  return cachedConfiguration(db, `inbox-bulk:${key}`, async () => {
    const agents = (await inboxRepository.agentsOf(db, scope.departmentIds)).filter((a) => a.id !== scope.agentId);
    const transitions = new Map<string, string>();
    const procedures = await procedureRepository.list(db, scope.organisationId, { onlineOnly: false });
    for (const p of procedures) {
      const version = await workflowRepository.latest(db, p.id);
      for (const t of version?.definition.transitions ?? []) if (!transitions.has(t.name) && !t.inputs?.some((i) => i.required)) transitions.set(t.name, t.label);
    }
    const templates = new Map<number, string>();
    for (const departmentId of scope.departmentIds) {
      for (const t of await templatesFor(db, scope.organisationId, { departmentId, procedureId: null })) templates.set(t.id, t.name);
    }
    return {
      agents,
      transitions: [...transitions].map(([name, label]) => ({ name, label })).sort((a, b) => a.label.localeCompare(b.label, 'fr')),
      templates: [...templates].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    };
  });
}
