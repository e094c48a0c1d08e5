import type { CitizenProfile } from '../../../citizens/profile.js';
import { ErrorSummary } from '../../../http/ui/layout.js';
import type { FormState } from '../service.js';
import { BackToSpace, Csrf, frenchDay, Input, problemsOf, Saved, Select } from './fields.js';

const CIVILITIES = [
  { value: 'M', label: 'Monsieur' },
  { value: 'Mme', label: 'Madame' },
] as const;

/** The values the profile form starts from. */
export function profileValues(profile: CitizenProfile): Record<string, string> {
  return {
    civility: profile.civility ?? '',
    firstNames: profile.firstNames ?? '',
    birthName: profile.birthName ?? '',
    usageName: profile.usageName ?? '',
    birthDate: profile.birthDate ?? '',
    phone: profile.phone ?? '',
    'address.line1': profile.address?.line1 ?? '',
    'address.line2': profile.address?.line2 ?? '',
    'address.postcode': profile.address?.postcode ?? '',
    'address.city': profile.address?.city ?? '',
  };
}

function certifiedBy(profile: CitizenProfile): string {
  return profile.identityAssurance === 'franceconnect' ? 'Certifiées par FranceConnect' : 'Certifiées par la mairie (vérifiées au guichet)';
}

function LockedIdentity({ profile }: { profile: CitizenProfile }) {
  const rows: [string, string | null][] = [
    ['Civilité', profile.civility === 'M' ? 'Monsieur' : profile.civility === 'Mme' ? 'Madame' : null],
    ['Prénom(s)', profile.firstNames],
    ['Nom de naissance', profile.birthName],
    ['Nom d’usage', profile.usageName],
    ['Date de naissance', profile.birthDate ? frenchDay(profile.birthDate) : null],
  ];
  return (
    <>
      <p class="space-certified">
        <span aria-hidden="true">✓ </span>
        <strong>{certifiedBy(profile)}</strong> : ces informations ne peuvent pas être modifiées ici. En cas d’erreur, adressez-vous à la mairie.
      </p>
      <dl class="space-details">
        {rows.map(([term, value]) => (
          <>
            <dt>{term}</dt>
            <dd>{value ?? 'Non renseigné'}</dd>
          </>
        ))}
      </dl>
    </>
  );
}

/** « Mon profil »: identity (locked when certified) and contacts. */
export function ProfilePage({ profile, accountEmail, state, csrf, saved }: { profile: CitizenProfile; accountEmail: string | null; state: FormState; csrf: string; saved: boolean }) {
  const locked = profile.identityAssurance !== 'declared';
  return (
    <div class="space">
      <BackToSpace />
      <h1>Mon profil</h1>
      <ErrorSummary problems={problemsOf(state, { identity: 'identite' })} />
      <Saved text={saved ? 'Vos informations ont été enregistrées.' : null} />
      <p>Ces informations pré-remplissent vos démarches. Vous pourrez toujours les corriger dans chaque formulaire.</p>
      <form method="post" action="/mon-espace/profil" class="space-form" novalidate>
        <Csrf value={csrf} />
        <h2 id="identite" tabIndex={-1}>
          Identité
        </h2>
        {locked ? (
          <LockedIdentity profile={profile} />
        ) : (
          <>
            <Select name="civility" label="Civilité" state={state} options={CIVILITIES} autocomplete="honorific-prefix" />
            <Input name="firstNames" label="Prénom(s)" state={state} required autocomplete="given-name" maxLength={200} hint="Tous vos prénoms, dans l’ordre de l’état civil." />
            <Input name="birthName" label="Nom de naissance" state={state} required autocomplete="family-name" maxLength={200} />
            <Input name="usageName" label="Nom d’usage" state={state} maxLength={200} hint="Par exemple le nom de votre conjoint, si vous l’utilisez." />
            <Input name="birthDate" label="Date de naissance" type="date" state={state} autocomplete="bday" hint="Par exemple 14/07/1985." />
          </>
        )}
        <h2>Coordonnées</h2>
        <p>
          Adresse électronique de connexion : <strong>{accountEmail ?? 'aucune'}</strong>
          <br />
          <span class="hint">Elle se change depuis la page de votre compte, pas ici.</span>
        </p>
        <Input name="phone" label="Téléphone" type="tel" state={state} autocomplete="tel" hint="Un numéro de mobile (06 ou 07) permet de recevoir des SMS." />
        <fieldset class="space-fieldset">
          <legend>Adresse postale</legend>
          <Input name="address.line1" label="Numéro et voie" state={state} autocomplete="address-line1" maxLength={200} />
          <Input name="address.line2" label="Complément d’adresse" state={state} autocomplete="address-line2" maxLength={200} hint="Bâtiment, étage, lieu-dit…" />
          <Input name="address.postcode" label="Code postal" state={state} autocomplete="postal-code" inputMode="numeric" maxLength={16} />
          <Input name="address.city" label="Commune" state={state} autocomplete="address-level2" maxLength={100} />
        </fieldset>
        <button type="submit">Enregistrer</button>
      </form>
    </div>
  );
}
