import type { WorkflowDeps } from '../../../workflow/service.js';

/**
 * CONTRACT (owned by the reply module): an agent's answer to the citizen, on the citizen's channel
 * (e-mail, portal message, SMS, or a printable letter when they have none), written with its
 * journal entry in one transaction and version-checked.
 */
export interface AgentReply {
  organisationId: number;
  caseId: number;
  agent: { id: number; name: string };
  subject: string;
  body: string;
  /** `auto` picks the citizen's channel. */
  channel: 'auto' | 'email' | 'portal' | 'sms' | 'letter';
  /** Ids of attachments already stored for this case. */
  attachmentIds?: string[];
  /** The case version the agent saw. */
  expectedVersion?: number;
  /** When set, the reply asks for missing information, to be given by this date (YYYY-MM-DD). */
  informationRequest?: { dueOn: string | null };
}

export interface SentReply {
  messageId: number;
  channel: 'email' | 'portal' | 'sms' | 'letter';
  /** For a letter: where agents download the PDF to print. */
  letterUrl: string | null;
}

export async function sendAgentReply(_deps: WorkflowDeps, _reply: AgentReply): Promise<SentReply> {
  throw new Error('sendAgentReply: not implemented yet (reply module)');
}
