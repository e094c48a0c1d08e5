import type { CitizenHit } from '../../../citizens/search.js';
import type { Citizen360 } from '../../../citizens/view-360.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { ASSURANCE, birthDate, citizenUrl, frenchPhone, mergeUrl } from './common.js';
import { CitizenSearchForm } from './search.js';
import { HitsTable } from './common.js';

/** Step 1: find the other record of the same person. */
export function MergeChoosePage({ c, query, hits, problems }: { c: Citizen360; query: string; hits: CitizenHit[] | null; problems: FieldProblem[] }) {
  return (
    <>
      <p>
        <a href={citizenUrl(c.id)}>Retour à la fiche de {c.displayName}</a>
      </p>
      <h1>Fusionner la fiche de {c.displayName}</h1>
      <p>Cherchez l’autre fiche de la même personne, puis comparez les deux avant de confirmer.</p>
      <ErrorSummary problems={problems} />
      <CitizenSearchForm action={mergeUrl(c.id)} query={query} problems={problems} label="Rechercher l’autre fiche" />
      {hits === null ? null : hits.length === 0 ? (
        <p role="status">Aucune autre fiche ne correspond à cette recherche.</p>
      ) : (
        <HitsTable hits={hits} caption={hits.length === 1 ? '1 fiche trouvée' : `${hits.length} fiches trouvées`} action={(h) => ({ href: mergeUrl(c.id, h.id), label: 'Comparer' })} />
      )}
    </>
  );
}

export interface CompareValues {
  conserver: string;
  identite: string;
  confirmation: boolean;
  /** How identity was checked: one of `IDENTITY_CHECKS`, or empty. */
  verification: string;
  precision: string;
}

/** The ways an agent checks a person's identity before a merge that involves an account or FranceConnect. */
export const IDENTITY_CHECKS = [
  { value: 'piece', label: 'Pièce d’identité présentée au guichet' },
  { value: 'rappel', label: 'Rappel au numéro de téléphone vérifié' },
  { value: 'autre', label: 'Autre vérification (à préciser)' },
] as const;

/** True when a merge of these records needs a stated identity check (the server decides again). */
export function needsIdentityCheck(a: Citizen360, b: Citizen360): boolean {
  return [a, b].some((c) => c.account !== null || c.identityProviders.length > 0 || c.identityAssurance === 'franceconnect');
}

function Row({ label, a, b }: { label: string; a: preact.ComponentChildren; b: preact.ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{a}</td>
      <td>{b}</td>
    </tr>
  );
}

const list = (items: string[]) => (items.length ? items.join(', ') : '—');

/** Step 2: both records side by side; which record and which identity to keep; confirm. */
export function ComparePage({ a, b, csrf, problems, values }: { a: Citizen360; b: Citizen360; csrf: string; problems: FieldProblem[]; values: CompareValues }) {
  const cases = (c: Citizen360) => `${c.cases.length + c.hiddenCaseCount} demande(s)`;
  const err = (name: string) => problems.find((p) => p.target === name || p.target.startsWith(`${name}-`));
  const radio = (name: 'conserver' | 'identite', c: Citizen360, label: preact.ComponentChildren) => (
    <div class="choice">
      <input type="radio" name={name} id={`${name}-${c.id}`} value={String(c.id)} checked={values[name] === String(c.id)} required />
      <label for={`${name}-${c.id}`}>{label}</label>
    </div>
  );
  const ErrorLine = ({ target }: { target: string }) => {
    const e = err(target);
    return e ? (
      <p class="field-error" id={`${target}-error`}>
        <span class="visually-hidden">Erreur : </span>
        {e.message}
      </p>
    ) : null;
  };
  return (
    <>
      <p>
        <a href={mergeUrl(a.id)}>Choisir une autre fiche à comparer</a>
      </p>
      <h1>Comparer et fusionner deux fiches</h1>
      <ErrorSummary problems={problems} />
      <table class="citizen-table citizen-compare">
        <caption>Les deux fiches côte à côte</caption>
        <thead>
          <tr>
            <td></td>
            <th scope="col">
              <a href={citizenUrl(a.id)}>Fiche n° {a.id}</a>
            </th>
            <th scope="col">
              <a href={citizenUrl(b.id)}>Fiche n° {b.id}</a>
            </th>
          </tr>
        </thead>
        <tbody>
          <Row label="Nom de naissance" a={a.birthName ?? '—'} b={b.birthName ?? '—'} />
          <Row label="Nom d’usage" a={a.usageName ?? '—'} b={b.usageName ?? '—'} />
          <Row label="Prénoms" a={a.firstNames ?? '—'} b={b.firstNames ?? '—'} />
          <Row label="Date de naissance" a={birthDate(a.birthDate)} b={birthDate(b.birthDate)} />
          <Row label="Identité" a={ASSURANCE[a.identityAssurance].label} b={ASSURANCE[b.identityAssurance].label} />
          <Row label="Courriels" a={list(a.emails.map((e) => e.email))} b={list(b.emails.map((e) => e.email))} />
          <Row label="Téléphones" a={list(a.phones.map((p) => frenchPhone(p.phone)))} b={list(b.phones.map((p) => frenchPhone(p.phone)))} />
          <Row label="Adresses" a={list(a.addresses.map((x) => x.text))} b={list(b.addresses.map((x) => x.text))} />
          <Row label="Demandes" a={cases(a)} b={cases(b)} />
          <Row label="Compte en ligne" a={a.account ? a.account.email : 'aucun'} b={b.account ? b.account.email : 'aucun'} />
          <Row label="Foyer" a={a.household?.name ?? 'aucun'} b={b.household?.name ?? 'aucun'} />
          <Row label="Créée le" a={a.createdAt.slice(0, 10).split('-').reverse().join('/')} b={b.createdAt.slice(0, 10).split('-').reverse().join('/')} />
        </tbody>
      </table>

      <form method="post" action={mergeUrl(a.id)} class="citizen-merge-form" novalidate>
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="avec" value={String(b.id)} />
        <fieldset aria-describedby={err('conserver') ? 'conserver-hint conserver-error' : 'conserver-hint'}>
          <legend>Fiche à conserver</legend>
          <p class="hint" id="conserver-hint">
            L’autre fiche y est fusionnée : ses demandes, coordonnées, documents et son compte en ligne y sont rattachés. Si les deux fiches ont un compte en ligne,
            seul celui de la fiche conservée reste ouvert.
          </p>
          <ErrorLine target="conserver" />
          {radio('conserver', a, `Fiche n° ${a.id} — ${a.displayName}`)}
          {radio('conserver', b, `Fiche n° ${b.id} — ${b.displayName}`)}
        </fieldset>
        <fieldset aria-describedby={err('identite') ? 'identite-hint identite-error' : 'identite-hint'}>
          <legend>Identité à conserver</legend>
          <p class="hint" id="identite-hint">
            Noms, prénoms et date de naissance. Une identité certifiée par FranceConnect ou vérifiée au guichet ne peut pas être remplacée par une identité déclarée.
          </p>
          <ErrorLine target="identite" />
          {radio('identite', a, `${a.displayName}${a.birthDate ? `, né(e) le ${birthDate(a.birthDate)}` : ''} — ${ASSURANCE[a.identityAssurance].short}`)}
          {radio('identite', b, `${b.displayName}${b.birthDate ? `, né(e) le ${birthDate(b.birthDate)}` : ''} — ${ASSURANCE[b.identityAssurance].short}`)}
        </fieldset>
        {needsIdentityCheck(a, b) || err('verification') || err('precision') ? (
          <fieldset aria-describedby={err('verification') ? 'verification-hint verification-piece-error' : 'verification-hint'}>
            <legend>Vérification de l’identité (obligatoire)</legend>
            <p class="hint" id="verification-hint">
              Une des fiches a un compte en ligne ou une identité FranceConnect : la fusion donne à ce compte toutes les demandes des deux fiches. Indiquez comment
              vous avez vérifié que c’est la même personne ; c’est enregistré avec la fusion.
            </p>
            <ErrorLine target="verification-piece" />
            {IDENTITY_CHECKS.map((c) => (
              <div class="choice">
                <input type="radio" name="verification" id={`verification-${c.value}`} value={c.value} checked={values.verification === c.value} />
                <label for={`verification-${c.value}`}>{c.label}</label>
              </div>
            ))}
            <div class="field">
              <label for="precision">Précisions (obligatoires pour « Autre vérification »)</label>
              <ErrorLine target="precision" />
              <input
                type="text"
                name="precision"
                id="precision"
                value={values.precision}
                maxLength={300}
                aria-invalid={err('precision') ? 'true' : undefined}
                aria-describedby={err('precision') ? 'precision-error' : undefined}
              />
            </div>
          </fieldset>
        ) : null}
        <div class="field">
          <ErrorLine target="confirmation" />
          <div class="choice">
            <input type="checkbox" name="confirmation" id="confirmation" value="oui" checked={values.confirmation} aria-describedby={err('confirmation') ? 'confirmation-error' : undefined} />
            <label for="confirmation">
              Je confirme que ces deux fiches concernent la même personne. La fusion pourra être séparée depuis la fiche conservée (« Séparer »).
            </label>
          </div>
        </div>
        <button type="submit">Fusionner les deux fiches</button>
      </form>
    </>
  );
}
