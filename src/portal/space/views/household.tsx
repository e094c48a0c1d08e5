import type { HouseholdMember } from '../../../citizens/profile.js';
import { ErrorSummary } from '../../../http/ui/layout.js';
import { relationshipLabel, RELATIONSHIPS, ROLES, type FormState } from '../service.js';
import { BackToSpace, Csrf, frenchDay, Input, problemsOf, Radios, Saved } from './fields.js';

const fullName = (m: HouseholdMember) => `${m.firstNames} ${m.lastName}`;

/** The values the member form starts from. */
export function memberValues(m: HouseholdMember): Record<string, string> {
  return { relationship: m.relationship ?? '', role: m.role, firstNames: m.firstNames, lastName: m.lastName, birthDate: m.birthDate ?? '' };
}

/** « Mon foyer »: the people the citizen declares, offered by forms that ask about a child or a spouse. */
export function HouseholdPage({ members, citizenId, saved }: { members: HouseholdMember[]; citizenId: number; saved: string | null }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Mon foyer</h1>
      <Saved text={saved} />
      <p>
        Déclarez ici votre conjoint ou conjointe et vos enfants : les formulaires qui les concernent (inscription scolaire, périscolaire…) vous les proposeront sans que
        vous ayez à les saisir de nouveau.
      </p>
      {members.length === 0 ? (
        <p>Vous n’avez encore déclaré personne.</p>
      ) : (
        <ul class="space-list">
          {members.map((m) => (
            <li>
              <p class="space-list-title">{m.citizenId === citizenId ? `${fullName(m)} (vous)` : fullName(m)}</p>
              <p class="hint">
                {[relationshipLabel(m.relationship), m.role === 'child' ? 'enfant mineur' : 'adulte', m.birthDate ? `né(e) le ${frenchDay(m.birthDate)}` : null].filter(Boolean).join(' — ')}
              </p>
              {m.citizenId === null ? (
                <p class="space-actions">
                  <a href={`/mon-espace/foyer/${m.id}/modifier`}>
                    Modifier<span class="sr-only"> {fullName(m)}</span>
                  </a>
                  <a href={`/mon-espace/foyer/${m.id}/retirer`}>
                    Retirer du foyer<span class="sr-only"> {fullName(m)}</span>
                  </a>
                </p>
              ) : (
                <p class="hint">Cette personne a son propre dossier à la mairie : adressez-vous à la mairie pour la modifier.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="button" href="/mon-espace/foyer/ajouter">
          Ajouter une personne
        </a>
      </p>
    </div>
  );
}

/** Adding or editing a member. */
export function MemberFormPage({ action, title, state, csrf }: { action: string; title: string; state: FormState; csrf: string }) {
  return (
    <div class="space">
      <nav aria-label="Fil d’Ariane" class="space-breadcrumb">
        <ol>
          <li>
            <a href="/mon-espace">Mon espace</a>
          </li>
          <li>
            <a href="/mon-espace/foyer">Mon foyer</a>
          </li>
        </ol>
      </nav>
      <h1>{title}</h1>
      <ErrorSummary problems={problemsOf(state, { relationship: 'relationship-conjoint', role: 'role-adult' })} />
      <form method="post" action={action} class="space-form" novalidate>
        <Csrf value={csrf} />
        <Radios name="relationship" legend="Lien avec vous" state={state} options={RELATIONSHIPS} />
        <Radios name="role" legend="Cette personne est" state={state} options={ROLES} />
        <Input name="firstNames" label="Prénom(s)" state={state} required maxLength={200} />
        <Input name="lastName" label="Nom" state={state} required maxLength={200} />
        <Input name="birthDate" label="Date de naissance" type="date" state={state} hint="Par exemple 02/09/2016." />
        <button type="submit">Enregistrer</button>
      </form>
      <p>
        <a href="/mon-espace/foyer">Annuler et revenir à mon foyer</a>
      </p>
    </div>
  );
}

/** Confirmation before a member leaves the household. */
export function RemoveMemberPage({ member, csrf }: { member: HouseholdMember; csrf: string }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Retirer {fullName(member)} de mon foyer ?</h1>
      <p>Les démarches déjà déposées pour cette personne ne sont pas modifiées ; les prochains formulaires ne la proposeront plus.</p>
      <form method="post" action={`/mon-espace/foyer/${member.id}/retirer`} class="space-form">
        <Csrf value={csrf} />
        <button type="submit" class="space-danger">
          Oui, retirer cette personne
        </button>
      </form>
      <p>
        <a href="/mon-espace/foyer">Non, revenir à mon foyer</a>
      </p>
    </div>
  );
}
