/**
 * Writing response templates: the form agents fill in is checked (names, where it applies, the
 * Liquid of the subject and body, with the same checker as workflows) before anything is saved.
 */
import type { Executor } from '../../db/transaction.js';
import type { FieldError } from '../../http/errors.js';
import { organisationRepository } from '../../organisations/repository.js';
import { procedureRepository, type Procedure } from '../../procedures/repository.js';
import { formFieldNames } from '../../workflow/service.js';
import { checkTemplate } from '../../workflow/templates.js';
import { canEditTemplate, canReadTemplate, type AgentScope } from '../policy.js';
import { responseTemplateRepository, type ResponseTemplate, type TemplateFields } from '../../templates/repository.js';

/** The values of the template form, as posted (French field names are the form's). */
export interface TemplateForm {
  name: string;
  slug: string;
  /** `collectivite`, `service:<id>` or `demarche:<id>`. */
  scope: string;
  subject: string;
  body: string;
}

/** One place a template may apply, offered in the form's select. */
export interface ScopeOption {
  value: string;
  label: string;
}

const MAX_NAME = 120;
const MAX_SUBJECT = 300;
const MAX_BODY = 20_000;

/** The templates an agent reads: the organisation's and those of their departments (all for an admin). */
export async function readableTemplates(db: Executor, scope: AgentScope): Promise<ResponseTemplate[]> {
  const all = await responseTemplateRepository.list(db, scope.organisationId);
  return all.filter((t) => canReadTemplate(scope, t));
}

/** A template the agent may read, or undefined (answered as not found). */
export async function readableTemplate(db: Executor, scope: AgentScope, id: number): Promise<ResponseTemplate | undefined> {
  const template = await responseTemplateRepository.findById(db, scope.organisationId, id);
  return template && canReadTemplate(scope, template) ? template : undefined;
}

/** Where the agent may make a template apply: organisation-wide for admins, their managed departments and procedures. */
export async function scopeOptions(db: Executor, scope: AgentScope): Promise<ScopeOption[]> {
  const [departments, procedures] = await Promise.all([
    organisationRepository.listDepartments(db, scope.organisationId),
    procedureRepository.list(db, scope.organisationId, { onlineOnly: false }),
  ]);
  const options: ScopeOption[] = [];
  if (scope.isAdmin) options.push({ value: 'collectivite', label: 'Toute la collectivité' });
  for (const d of departments) {
    if (canEditTemplate(scope, { departmentId: d.id, procedureDepartmentId: null })) options.push({ value: `service:${d.id}`, label: `Service ${d.name}` });
  }
  for (const p of procedures) {
    if (canEditTemplate(scope, { departmentId: null, procedureDepartmentId: p.departmentId })) options.push({ value: `demarche:${p.id}`, label: `Démarche « ${p.title} »` });
  }
  return options;
}

/** The form's scope value of a template. */
export function scopeValueOf(t: Pick<ResponseTemplate, 'departmentId' | 'procedureId'>): string {
  if (t.procedureId !== null) return `demarche:${t.procedureId}`;
  if (t.departmentId !== null) return `service:${t.departmentId}`;
  return 'collectivite';
}

/** A slug from a name: « Demande de pièces » → `demande-de-pieces`. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export type CheckedTemplate = { ok: true; value: TemplateFields; procedureDepartmentId: number | null } | { ok: false; errors: FieldError[] };

/**
 * Checks the posted form: required texts, a slug unique in the organisation, a place the agent
 * may write to, and Liquid without syntax errors nor unknown variables (a procedure's template
 * knows the names of its form's fields). `editingId` is the template being edited, if any.
 */
export async function checkTemplateForm(db: Executor, scope: AgentScope, form: TemplateForm, editingId: number | null): Promise<CheckedTemplate> {
  const errors: FieldError[] = [];
  const name = form.name.trim();
  const slug = (form.slug.trim() === '' ? slugify(name) : form.slug.trim()).toLowerCase();
  if (name === '') errors.push({ field: 'name', code: 'required', message: 'Indiquez le nom du modèle.' });
  else if (name.length > MAX_NAME) errors.push({ field: 'name', code: 'too_long', message: `Le nom du modèle dépasse ${MAX_NAME} caractères.` });
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) || slug.length > 60) {
    if (name !== '' || form.slug.trim() !== '') errors.push({ field: 'slug', code: 'invalid', message: 'L’identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets (60 caractères au plus).' });
  } else if (await responseTemplateRepository.slugTaken(db, scope.organisationId, slug, editingId)) {
    errors.push({ field: 'slug', code: 'taken', message: `L’identifiant « ${slug} » est déjà celui d’un autre modèle.` });
  }

  const place = await placeOf(db, scope, form.scope);
  if (!place) errors.push({ field: 'scope', code: 'invalid', message: 'Choisissez où le modèle s’applique, parmi les services que vous gérez.' });

  const formFields = place?.procedure ? formFieldNames(place.procedure.form) : undefined;
  const subject = form.subject.trim();
  if (subject === '') errors.push({ field: 'subject', code: 'required', message: 'Indiquez l’objet du message.' });
  else if (subject.length > MAX_SUBJECT) errors.push({ field: 'subject', code: 'too_long', message: `L’objet dépasse ${MAX_SUBJECT} caractères.` });
  else for (const problem of checkTemplate(subject, { inputNames: [], formFieldNames: formFields })) errors.push({ field: 'subject', code: 'template', message: `Objet — ${problem}` });
  const body = form.body.replace(/\r\n?/g, '\n');
  if (body.trim() === '') errors.push({ field: 'body', code: 'required', message: 'Écrivez le texte du message.' });
  else if (body.length > MAX_BODY) errors.push({ field: 'body', code: 'too_long', message: `Le texte dépasse ${MAX_BODY} caractères.` });
  else for (const problem of checkTemplate(body, { inputNames: [], formFieldNames: formFields })) errors.push({ field: 'body', code: 'template', message: `Texte — ${problem}` });

  if (errors.length > 0 || !place) return { ok: false, errors };
  return {
    ok: true,
    value: { name, slug, departmentId: place.departmentId, procedureId: place.procedure?.id ?? null, subject, body },
    procedureDepartmentId: place.procedure?.departmentId ?? null,
  };
}

/** The place a scope value designates, if it exists and the agent may write there. */
async function placeOf(db: Executor, scope: AgentScope, value: string): Promise<{ departmentId: number | null; procedure: Procedure | null } | undefined> {
  if (value === 'collectivite') return scope.isAdmin ? { departmentId: null, procedure: null } : undefined;
  const match = /^(service|demarche):([1-9]\d{0,9})$/.exec(value);
  if (!match) return undefined;
  const id = Number(match[2]);
  if (match[1] === 'service') {
    const department = await organisationRepository.findDepartment(db, id);
    if (!department || department.organisationId !== scope.organisationId) return undefined;
    return canEditTemplate(scope, { departmentId: id, procedureDepartmentId: null }) ? { departmentId: id, procedure: null } : undefined;
  }
  const procedure = await procedureRepository.findById(db, id);
  if (!procedure || procedure.organisationId !== scope.organisationId) return undefined;
  return canEditTemplate(scope, { departmentId: null, procedureDepartmentId: procedure.departmentId }) ? { departmentId: null, procedure } : undefined;
}
