/**
 * The postal mail register (registre du courrier): every letter that becomes a case gets a number
 * `AAAA-C-NNNNNN`, numbered per year of receipt, written with its sender and subject in the same
 * transaction as the case, so the register and the cases never disagree.
 */
import type { Actor } from '../cases/journal.js';
import { caseRepository } from '../cases/repository.js';
import { cachedConfiguration } from '../configuration/cache.js';
import type { Executor } from '../db/transaction.js';
import { workflowRepository } from '../workflow/repository.js';
import { mailRegisterRepository, type MailRegisterEntry } from './repository.js';

/** `2026-C-000042`: the year of receipt, C for « courrier », six digits. */
export function formatRegisterNumber(year: number, value: number): string {
  return `${year}-C-${String(value).padStart(6, '0')}`;
}

export interface LetterToRegister {
  organisationId: number;
  caseId: number;
  reference: string;
  /** The day the letter arrived, `YYYY-MM-DD` (it gives the register's year). */
  receivedOn: string;
  sender: string;
  subject: string;
  agentId: number;
  actor: Actor;
}

/**
 * Gives the letter its register number and writes it in the register and in the case's journal.
 * Call it inside the transaction that creates the case (the intake's `withinTransaction`).
 */
export async function registerLetter(trx: Executor, letter: LetterToRegister, now: string): Promise<string> {
  const year = Number(letter.receivedOn.slice(0, 4));
  const registerNumber = formatRegisterNumber(year, await mailRegisterRepository.nextNumber(trx, letter.organisationId, year));
  await mailRegisterRepository.insert(
    trx,
    {
      organisationId: letter.organisationId,
      registerNumber,
      caseId: letter.caseId,
      receivedOn: letter.receivedOn,
      sender: letter.sender,
      subject: letter.subject,
      agentId: letter.agentId,
    },
    now,
  );
  await caseRepository.appendJournal(
    trx,
    letter.caseId,
    letter.reference,
    [{ type: 'mail.registered', actor: letter.actor, payload: { registerNumber, receivedOn: letter.receivedOn, sender: letter.sender, subject: letter.subject } }],
    now,
  );
  return registerNumber;
}

/** A register line as the register view shows it: the case's status in the agents' words. */
export interface MailRegisterLine extends MailRegisterEntry {
  statusLabel: string;
}

/** The status of a case as agents read it; the raw id when its workflow does not name it. */
async function statusLabel(db: Executor, workflowId: number | null, status: string, closedAt: string | null): Promise<string> {
  if (workflowId === null) return closedAt ? 'Clos' : status;
  const statuses = await cachedConfiguration(db, `workflow-statuses:${workflowId}`, async () => {
    const workflow = await workflowRepository.byId(db, workflowId);
    return new Map((workflow?.definition.statuses ?? []).map((s) => [s.id, s]));
  });
  return statuses.get(status)?.label ?? status;
}

/** Adds the status labels to register entries. */
export async function withStatusLabels(db: Executor, entries: MailRegisterEntry[]): Promise<MailRegisterLine[]> {
  return Promise.all(entries.map(async (e) => ({ ...e, statusLabel: await statusLabel(db, e.case.workflowId, e.case.status, e.case.closedAt) })));
}

const CSV_HEADER = ['Numéro', 'Reçu le', 'Expéditeur', 'Objet', 'Dossier', 'Service', 'État'];

/**
 * The register as CSV for a spreadsheet (semicolon-separated, as French spreadsheets expect;
 * a BOM so accents open correctly; cells that a spreadsheet would run as formulas are neutralised).
 */
export function registerCsv(lines: MailRegisterLine[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[;"\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = lines.map((l) => [l.registerNumber, l.receivedOn, l.sender, l.subject, l.case.reference, l.case.department.name, l.statusLabel]);
  return `\uFEFF${[CSV_HEADER, ...rows].map((row) => row.map(cell).join(';')).join('\r\n')}\r\n`;
}
