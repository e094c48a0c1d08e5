/**
 * How pressing an open case is, in one definition for the inbox filters, the case page and the
 * dashboard: **overdue** once its due time has passed, **at risk** when it falls within the next
 * `AT_RISK_WITHIN_MS`. A closed case, or one without a due time, is neither.
 */
export const AT_RISK_WITHIN_MS = 2 * 86_400_000;

export type Urgency = 'overdue' | 'at_risk' | 'on_time' | 'none';

export function urgencyOf(c: { dueAt: string | null; closedAt: string | null }, now: Date = new Date()): Urgency {
  if (c.closedAt !== null || c.dueAt === null) return 'none';
  const due = Date.parse(c.dueAt);
  if (due <= now.getTime()) return 'overdue';
  if (due <= now.getTime() + AT_RISK_WITHIN_MS) return 'at_risk';
  return 'on_time';
}

/** The bounds of the "at risk" window from a moment, as ISO strings for SQL comparisons. */
export function atRiskWindow(now: Date = new Date()): { from: string; to: string } {
  return { from: now.toISOString(), to: new Date(now.getTime() + AT_RISK_WITHIN_MS).toISOString() };
}

export const URGENCY_LABEL: Record<Urgency, string> = {
  overdue: 'En retard',
  at_risk: 'À risque',
  on_time: 'Dans les délais',
  none: 'Sans échéance',
};
