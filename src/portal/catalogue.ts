import type { Executor } from '../db/transaction.js';
import type { Field } from '../procedures/form/definition.js';
import { procedureRepository, type Procedure } from '../procedures/repository.js';

/** A procedure as the portal presents it to someone deciding whether and how to do it. */
export interface CatalogueEntry {
  slug: string;
  title: string;
  category: string;
  description: string;
  allowAnonymous: boolean;
  target: Procedure['target'];
  silence: Procedure['silence'];
  /** Labels of the documents the form asks for: what to prepare. */
  documents: string[];
  departmentId: number;
}

/** Shortcuts from a situation in life to the procedures it usually involves. */
export const LIFE_EVENTS: readonly { label: string; query: string }[] = [
  { label: 'J’attends un enfant', query: 'naissance' },
  { label: 'Je déménage', query: 'adresse' },
  { label: 'Mon enfant va à l’école', query: 'scolaire' },
  { label: 'Un problème dans ma rue', query: 'voirie' },
  { label: 'J’organise un événement', query: 'salle' },
];

/** The procedures open online, in the catalogue's order (category, then title). */
export async function onlineCatalogue(db: Executor, organisationId: number): Promise<CatalogueEntry[]> {
  const procedures = await procedureRepository.list(db, organisationId, { onlineOnly: true });
  return procedures.map(toEntry);
}

/** One procedure open online, or undefined (unknown or closed online: the portal does not show it). */
export async function catalogueEntry(db: Executor, organisationId: number, slug: string): Promise<CatalogueEntry | undefined> {
  const procedure = await procedureRepository.findBySlug(db, organisationId, slug);
  return procedure?.isOnline ? toEntry(procedure) : undefined;
}

function toEntry(p: Procedure): CatalogueEntry {
  const documents = p.form.pages.flatMap((page) => page.fields.flatMap((field) => fileLabels(field)));
  return { slug: p.slug, title: p.title, category: p.category, description: p.description, allowAnonymous: p.allowAnonymous, target: p.target, silence: p.silence, documents, departmentId: p.departmentId };
}

function fileLabels(field: Field): string[] {
  if (field.type === 'file') return [field.label];
  if (field.type === 'group') return field.fields.flatMap((f) => (f.type === 'file' ? [f.label] : []));
  return [];
}

/** "État civil" and "etat  CIVIL" compare equal: search ignores case, accents and punctuation. */
export function normaliseForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Entries whose title, category or description contain every word of the query (word starts). */
export function searchCatalogue(entries: readonly CatalogueEntry[], query: string): CatalogueEntry[] {
  const words = normaliseForSearch(query).split(' ').filter((w) => w.length > 0);
  if (words.length === 0) return [];
  return entries.filter((entry) => {
    const haystack = ` ${normaliseForSearch(`${entry.title} ${entry.category} ${entry.description}`)}`;
    return words.every((word) => haystack.includes(` ${word}`));
  });
}

/** Entries grouped by category, categories in catalogue order. */
export function byCategory(entries: readonly CatalogueEntry[]): [string, CatalogueEntry[]][] {
  const groups = new Map<string, CatalogueEntry[]>();
  for (const entry of entries) groups.set(entry.category, [...(groups.get(entry.category) ?? []), entry]);
  return [...groups];
}
