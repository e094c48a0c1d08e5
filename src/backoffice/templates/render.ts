import { caseRepository, type CaseView } from '../../cases/repository.js';
import type { Executor } from '../../db/transaction.js';
import { notFound } from '../../http/errors.js';
import { organisationRepository } from '../../organisations/repository.js';
import { templateVariables } from '../../workflow/effects.js';
import { statusOf } from '../../workflow/engine.js';
import { workflowRepository } from '../../workflow/repository.js';
import { renderTemplate, type TemplateVariables } from '../../workflow/templates.js';
import { policyRepository } from '../policy-repository.js';
import { responseTemplateRepository, type ResponseTemplate } from '../../templates/repository.js';

/**
 * Response templates rendered for a case, with the same safe Liquid engine and variables as the
 * workflow's messages, plus what an agent at their desk adds: their e-mail and department.
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

/** Where a template applies, as agents read it. */
export function scopeLabelOf(t: Pick<ResponseTemplate, 'departmentName' | 'procedureTitle'>): string {
  if (t.procedureTitle !== null) return `Démarche « ${t.procedureTitle} »`;
  if (t.departmentName !== null) return `Service ${t.departmentName}`;
  return 'Toute la collectivité';
}

/** The active templates that apply to a case: organisation-wide, its department's, its procedure's. */
export async function templatesFor(db: Executor, organisationId: number, c: { departmentId: number; procedureId: number | null }): Promise<TemplateChoice[]> {
  const rows = await responseTemplateRepository.forCase(db, organisationId, c.departmentId, c.procedureId);
  return rows.map((t) => ({ id: t.id, slug: t.slug, name: t.name, scopeLabel: scopeLabelOf(t) }));
}

/**
 * The variables of a response template for a case: the workflow's (case, citizen, procedure,
 * department, organisation) with the agent's name, e-mail and department — the case's when they
 * work there, else their first one.
 */
export async function responseVariables(db: Executor, view: CaseView, context: Omit<RenderContext, 'caseId' | 'organisationId'>): Promise<TemplateVariables> {
  const [statusLabel, agentDepartment] = await Promise.all([citizenStatusLabel(db, view), agentDepartmentName(db, context.agent.id, view.department)]);
  return templateVariables(db, { timezone: context.timezone, publicUrl: context.publicUrl }, view, statusLabel, {}, {
    agentName: context.agent.name,
    agentEmail: context.agent.email,
    agentDepartment,
  });
}

/** Renders a template of the organisation for one of its cases; an unknown one is not found. */
export async function renderResponseTemplate(db: Executor, templateId: number, context: RenderContext): Promise<RenderedTemplate> {
  const [template, view] = await Promise.all([
    responseTemplateRepository.findById(db, context.organisationId, templateId),
    caseRepository.findById(db, context.caseId),
  ]);
  if (!template) throw notFound('Aucun modèle de réponse.');
  if (!view || view.organisationId !== context.organisationId) throw notFound('Aucun dossier.');
  return renderWith(template, await responseVariables(db, view, context));
}

/** Renders a subject and body with variables already read (the preview of several templates). */
export async function renderWith(template: RenderedTemplate, variables: TemplateVariables): Promise<RenderedTemplate> {
  const [subject, body] = await Promise.all([renderTemplate(template.subject, variables), renderTemplate(template.body, variables)]);
  return { subject: subject.trim(), body: body.replace(/^\s*\n/, '').trimEnd() };
}

/** The status as the citizen reads it (what `case.status` means in templates). */
async function citizenStatusLabel(db: Executor, view: CaseView): Promise<string> {
  if (view.workflowId === null) return view.status;
  const workflow = await workflowRepository.byId(db, view.workflowId);
  if (!workflow) return view.status;
  try {
    return statusOf(workflow.definition, view.status).citizenLabel;
  } catch {
    return view.status;
  }
}

async function agentDepartmentName(db: Executor, agentId: number, caseDepartment: { id: number; name: string }): Promise<string | null> {
  const roles = await policyRepository.rolesOf(db, agentId);
  if (roles.some((r) => r.departmentId === caseDepartment.id)) return caseDepartment.name;
  const first = roles[0];
  if (!first) return null;
  return (await organisationRepository.findDepartment(db, first.departmentId))?.name ?? null;
}
