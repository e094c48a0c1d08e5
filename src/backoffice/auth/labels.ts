import type { AgentRoleTable } from '../../db/schema.js';

/** Role names as agents read them. */
export const ROLE_LABEL: Record<AgentRoleTable['role'], string> = {
  agent: 'Agent',
  manager: 'Responsable de service',
  admin: 'Administrateur',
};
