/**
 * How a demo procedure is described: what `procedureRepository.insert` needs, plus what the
 * history generator needs to make believable cases of it (frequency, channels, season, outcomes,
 * processing time and a generator of valid form data).
 */
import type { Channel } from '../../cases/repository.js';
import type { NewProcedure } from '../../procedures/repository.js';
import type { Person, StreetAddress } from '../people.js';
import type { Rng } from '../prng.js';

export type Outcome = 'accepted' | 'refused' | 'without_action';

/** What a form-data generator knows about the request it fills in. */
export interface SampleContext {
  rng: Rng;
  /** Local date of receipt (YYYY-MM-DD): dates in the form are drawn around it. */
  today: string;
  /** Who asks; null for an anonymous request. */
  citizen: (Person & { birthDate: string | null; address: StreetAddress | null; email: string | null; phone: string | null }) | null;
  /** Children of the citizen's household, with their `household_members` id. */
  children: { id: string; firstNames: string; lastName: string; birthDate: string | null }[];
}

export interface DemoProcedure {
  /** Everything but the organisation and the owning department, named by slug. */
  procedure: Omit<NewProcedure, 'organisationId' | 'departmentId'>;
  department: string;
  /** Relative frequency among all historical cases. */
  weight: number;
  /** Relative affinity with each channel it can arrive through; absent channels never bring it. */
  channels: Partial<Record<Channel, number>>;
  /** Monthly multipliers, January first (school enrolments peak in spring…); absent means flat. */
  season?: readonly number[];
  outcomes: Readonly<Record<Outcome, number>>;
  /** Median processing time, in calendar days, of a closed case. */
  medianDays: number;
  /** Form data valid for `procedure.form`, already normalised as `validateSubmission` returns it. */
  sample(ctx: SampleContext): Record<string, unknown>;
  /** Case subject derived from the data; the procedure title when absent. */
  subject?(data: Record<string, unknown>): string;
  /** The Open311 service code under which street-report applications see it; absent: not exposed. */
  open311ServiceCode?: string;
}
