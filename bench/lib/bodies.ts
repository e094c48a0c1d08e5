/**
 * Request bodies for the intake scenario: street reports (`signalement-voirie`) whose form data
 * comes from the demo's own generator (so they follow the real form definition: category, the
 * detail field its category makes visible, description, danger, geolocation…), each sent by a
 * named citizen with an e-mail address so that citizen matching runs on every request.
 *
 * Citizens are drawn from a fixed pool: the first request of a pool member creates the citizen,
 * later ones match it by e-mail, as in real life where most requesters come back.
 */
import { createRng, type Rng } from '../../src/demo/prng.js';
import { emailLocalPart, fictionPhone, randomPerson, type Person } from '../../src/demo/people.js';
import { STREET_REPORT } from '../../src/demo/procedures/street-reports.js';

export const INTAKE_PROCEDURE = STREET_REPORT.procedure.slug;

interface PoolCitizen extends Person {
  email: string;
  phone?: string;
}

function citizenPool(rng: Rng, size: number, runTag: string): PoolCitizen[] {
  return Array.from({ length: size }, (_, i) => {
    const person = randomPerson(rng);
    // The run tag keeps pools of successive runs apart, so each run starts with new citizens.
    const email = `${emailLocalPart(person.firstNames, person.lastName)}.${runTag}${i}@example.fr`;
    return { ...person, email, ...(rng.chance(0.5) ? { phone: fictionPhone(rng) } : {}) };
  });
}

/**
 * `count` distinct, valid JSON bodies for `POST /api/v1/cases`, built before the measurement so
 * that the load generator spends no CPU on them while the server is measured.
 */
export function intakeBodies(count: number, options: { seed?: number; poolSize?: number; runTag?: string } = {}): string[] {
  const rng = createRng(options.seed ?? 4242);
  const runTag = options.runTag ?? Date.now().toString(36);
  const pool = citizenPool(rng, options.poolSize ?? 2_000, runTag);
  const today = new Date().toISOString().slice(0, 10);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = STREET_REPORT.sample({ rng, today, citizen: null, children: [] });
    // A landmark unique to the request makes every body distinct.
    data['repere'] = `Banc d’essai ${runTag}-${i}`;
    const who = rng.pick(pool);
    const citizen = { civility: who.civility, firstNames: who.firstNames, lastName: who.lastName, email: who.email, ...(who.phone ? { phone: who.phone } : {}) };
    bodies.push(JSON.stringify({ procedure: INTAKE_PROCEDURE, citizen, data }));
  }
  return bodies;
}
