/**
 * "Dites-le-nous une fois": a new draft starts with what the town already knows of a signed-in
 * citizen — identity, contacts, address, and the household member a field asks for when there is
 * only one who fits. The citizen can still change every prefilled answer.
 */
import type { CitizenProfile, HouseholdMember } from '../../citizens/profile.js';
import type { CitizenPath, Field, FormDefinition, HouseholdRole } from '../../procedures/form/definition.js';

/** The raw answers (as a posted form would give them) prefilled from the profile and the household. */
export function prefilledAnswers(form: FormDefinition, profile: CitizenProfile | null, members: HouseholdMember[]): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const field of form.pages.flatMap((page) => page.fields)) {
    const value = prefillOf(field, profile, members);
    if (value !== undefined) answers[field.name] = value;
  }
  return answers;
}

function prefillOf(field: Field, profile: CitizenProfile | null, members: HouseholdMember[]): unknown {
  const source = field.prefill;
  if (!source) return undefined;
  if (source.from === 'citizen') return profile ? fromProfile(profile, source.path) : undefined;
  if (field.type !== 'householdMember') return undefined;
  const candidates = members.filter((m) => fits(m, field.memberRole ?? source.role) && fits(m, source.role));
  return candidates.length === 1 ? String(candidates[0]!.id) : undefined;
}

const fits = (member: HouseholdMember, role: HouseholdRole) => role === 'any' || member.role === role;

function fromProfile(profile: CitizenProfile, path: CitizenPath): unknown {
  switch (path) {
    case 'address':
      return profile.address ? { ...profile.address } : undefined;
    case 'civility':
    case 'firstNames':
    case 'birthName':
    case 'usageName':
    case 'birthDate':
    case 'email':
    case 'phone':
      return profile[path] ?? undefined;
  }
}
