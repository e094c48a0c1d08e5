import type { Executor } from '../../db/transaction.js';

/**
 * CONTRACT (owned by the templates module): response templates rendered for a case.
 * `templatesFor` lists the active templates that apply to a case (organisation-wide, its
 * department's, its procedure's); `renderResponseTemplate` renders one with the case, citizen,
 * procedure and agent as variables.
 */
export interface TemplateChoice {
  id: number;
  slug: string;
  name: string;
  /** Where it applies, in words: « Toute la collectivité », « Service Voirie », « Démarche … ». */
  scopeLabel: string;
}

export interface RenderedTemplate {
  subject: string;
  body: string;
}

export interface RenderContext {
  organisationId: number;
  caseId: number;
  agent: { id: number; name: string; email: string };
  publicUrl: string;
  timezone: string;
}

export async function templatesFor(_db: Executor, _organisationId: number, _c: { departmentId: number; procedureId: number | null }): Promise<TemplateChoice[]> {
  return [];
}

export async function renderResponseTemplate(_db: Executor, _templateId: number, _context: RenderContext): Promise<RenderedTemplate> {
  throw new Error('renderResponseTemplate: not implemented yet (templates module)');
}
