/** Small pieces the citizens pages share: phones, dates, assurance levels, hits. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CitizenHit } from '../../../citizens/search.js';

export const caseUrl = (reference: string) => `/backoffice/dossiers/${encodeURIComponent(reference)}`;
export const fileUrl = (reference: string, id: string) => `${caseUrl(reference)}/pieces/${encodeURIComponent(id)}`;

/** A symbol per channel beside its label, as on the case page (the label is what is read out). */
export const CHANNEL_ICONS: Record<string, string> = { web: '🖥', mobile: '📱', email: '✉', phone: '☎', counter: '🏛', mail: '📮', social: '💬', api: '⚙', open311: '📍' };

export const citizenUrl = (id: number) => `/backoffice/usagers/${id}`;
export const mergeUrl = (id: number, other?: number) => `/backoffice/usagers/${id}/fusionner${other !== undefined ? `?avec=${other}` : ''}`;
export const splitUrl = (keptId: number, mergeId: number) => `/backoffice/usagers/${keptId}/fusions/${mergeId}/separer`;

/** The assurance levels, as agents read them. */
export const ASSURANCE: Record<CitizenHit['identityAssurance'], { label: string; short: string; badge: string }> = {
  franceconnect: { label: 'Identité certifiée par FranceConnect', short: 'Certifiée FranceConnect', badge: 'badge badge-certified' },
  counter: { label: 'Identité vérifiée au guichet', short: 'Vérifiée au guichet', badge: 'badge badge-certified' },
  declared: { label: 'Identité déclarée (non vérifiée)', short: 'Déclarée', badge: 'badge' },
};

export function Assurance({ level, long = false }: { level: CitizenHit['identityAssurance']; long?: boolean }) {
  return <span class={ASSURANCE[level].badge}>{long ? ASSURANCE[level].label : ASSURANCE[level].short}</span>;
}

/** « 06 12 34 56 78 » for a French number, the international form for others. */
export function frenchPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === 'FR' ? parsed.formatNational() : parsed.formatInternational();
}

/** « 1985-02-03 » → « 03/02/1985 » (a birth date has no time zone). */
export function birthDate(iso: string | null): string {
  if (!iso) return '—';
  const [y, m, d] = iso.split('-');
  return y && m && d ? `${d}/${m}/${y}` : iso;
}

/** The hits of a search as a table, with an action link per row when given. */
export function HitsTable({ hits, caption, action }: { hits: CitizenHit[]; caption: string; action?: (hit: CitizenHit) => { href: string; label: string } }) {
  return (
    <div class="citizen-table-wrap">
      <table class="citizen-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Nom</th>
            <th scope="col">Date de naissance</th>
            <th scope="col">Courriel</th>
            <th scope="col">Téléphone</th>
            <th scope="col">Adresse</th>
            <th scope="col">Identité</th>
            {action ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {hits.map((h) => {
            const a = action?.(h);
            return (
              <tr>
                <th scope="row">
                  <a href={citizenUrl(h.id)}>{h.displayName}</a>
                </th>
                <td>{birthDate(h.birthDate)}</td>
                <td>{h.email ?? '—'}</td>
                <td>{h.phone ? frenchPhone(h.phone) : '—'}</td>
                <td>{h.address ?? '—'}</td>
                <td>
                  <Assurance level={h.identityAssurance} />
                </td>
                {a ? (
                  <td>
                    <a href={a.href}>
                      {a.label}
                      <span class="visually-hidden"> : {h.displayName}</span>
                    </a>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The hits as radio buttons named `name` (default `citizenId`), for a form that picks a citizen —
 * the « Nouvelle demande » screen puts them inside its own fieldset and legend, with or without
 * JavaScript (`GET /backoffice/usagers/recherche?q=…&pour=nouvelle-demande` returns this list).
 */
export function CitizenHitRadios({ hits, name = 'citizenId', selected, query }: { hits: CitizenHit[]; name?: string; selected?: number | null; query: string }) {
  return (
    <div class="citizen-hits" data-citizen-hits="">
      <p class="citizen-hits-count" role="status">
        {query.trim() === '' ? '' : hits.length === 0 ? 'Aucun usager trouvé.' : hits.length === 1 ? '1 usager trouvé.' : `${hits.length} usagers trouvés.`}
      </p>
      {hits.length > 0 ? (
        <ul class="citizen-hit-list">
          {hits.map((h) => (
            <li>
              <input type="radio" name={name} id={`${name}-${h.id}`} value={String(h.id)} checked={selected === h.id} />
              <label for={`${name}-${h.id}`}>
                <strong>{h.displayName}</strong>
                {h.birthDate ? <span>, né(e) le {birthDate(h.birthDate)}</span> : null}
                {h.email ? <span> — {h.email}</span> : null}
                {h.phone ? <span> — {frenchPhone(h.phone)}</span> : null}
                {h.address ? <span> — {h.address}</span> : null}
                <span> — {ASSURANCE[h.identityAssurance].short}</span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
