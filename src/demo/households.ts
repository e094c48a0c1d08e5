/**
 * The ~40 named inhabitants of the demo commune, grouped in households (families with children,
 * single parents, couples, people living alone) so that household-aware procedures such as school
 * enrolment have children to offer. Pure data generation: commune.ts writes it.
 */
import type { Person, StreetAddress } from './people.js';
import { citizenEmail, fictionPhone, randomAddress, randomChildFirstName, randomDate, randomPerson } from './people.js';
import type { Rng } from './prng.js';

export interface DemoAdult extends Person {
  birthDate: string;
  email: string;
  phone: string | null;
  relationship: string;
}

export interface DemoChild {
  firstNames: string;
  lastName: string;
  birthDate: string;
}

export interface DemoHousehold {
  name: string;
  address: StreetAddress;
  adults: DemoAdult[];
  children: DemoChild[];
}

type Kind = 'family' | 'singleParent' | 'couple' | 'single';

/** Households until at least `citizens` adults exist; e-mails are unique across them. */
export function demoHouseholds(rng: Rng, citizens = 40): DemoHousehold[] {
  const households: DemoHousehold[] = [];
  const emails = new Set<string>();
  const uniqueEmail = (person: Person): string => {
    let email = citizenEmail(person);
    for (let n = 2; emails.has(email); n++) email = citizenEmail(person, n);
    emails.add(email);
    return email;
  };
  const adult = (person: Person, fromYear: number, toYear: number, relationship: string): DemoAdult => ({
    ...person, birthDate: randomDate(rng, fromYear, toYear), email: uniqueEmail(person), phone: rng.chance(0.85) ? fictionPhone(rng) : null, relationship,
  });
  let count = 0;
  while (count < citizens) {
    const kind = rng.weighted<Kind>({ family: 35, singleParent: 15, couple: 20, single: 30 });
    const first = randomPerson(rng);
    const adults: DemoAdult[] = [];
    if (kind === 'single') adults.push(adult(first, 1945, 2002, 'personne seule'));
    else adults.push(adult(first, kind === 'couple' ? 1950 : 1975, kind === 'couple' ? 1998 : 1994, kind === 'couple' ? 'conjoint' : 'parent'));
    if (kind === 'family' || kind === 'couple') {
      const partner = randomPerson(rng, first.civility === 'Mme' ? 'M' : 'Mme', rng.chance(0.6) ? first.lastName : undefined);
      adults.push(adult(partner, kind === 'couple' ? 1950 : 1975, kind === 'couple' ? 1998 : 1994, kind === 'couple' ? 'conjoint' : 'parent'));
    }
    const childCount = kind === 'family' ? rng.int(1, 3) : kind === 'singleParent' ? rng.int(1, 2) : 0;
    const children = Array.from({ length: childCount }, () => ({ firstNames: randomChildFirstName(rng), lastName: first.lastName, birthDate: randomDate(rng, 2008, 2022) }));
    const names = [...new Set(adults.map((a) => a.lastName))].join('-');
    households.push({ name: `Foyer ${names}`, address: randomAddress(rng), adults, children });
    count += adults.length;
  }
  return households;
}
