import type { Citizen360, MergedRecord } from '../../../citizens/view-360.js';
import type { MergeSnapshot } from '../../../citizens/merge.js';
import { formatSize } from '../../../attachments/service.js';
import { formatDate, formatDateTime } from '../../../portal/cases/views/dates.js';
import { Provenance } from './provenance.js';
import { ASSURANCE, Assurance, birthDate, caseUrl, CHANNEL_ICONS, citizenUrl, fileUrl, frenchPhone, mergeUrl, splitUrl } from './common.js';

const DIRECTION = { in: 'Reçu de l’usager', out: 'Envoyé à l’usager' } as const;
const DOCUMENT_KIND: Record<string, string> = {
  justificatif_domicile: 'Justificatif de domicile',
  piece_identite: 'Pièce d’identité',
  livret_famille: 'Livret de famille',
  autre: 'Autre document',
};
const RELATIONSHIP_ROLE = { adult: 'Adulte', child: 'Enfant' } as const;

function Fact({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: preact.ComponentChildren }) {
  return (
    <section class="citizen-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

const SECTIONS = [
  ['identite', 'Identité'],
  ['coordonnees', 'Coordonnées'],
  ['foyer', 'Foyer'],
  ['demandes', 'Demandes'],
  ['messages', 'Messages'],
  ['appels', 'Appels'],
  ['documents', 'Documents'],
  ['satisfaction', 'Satisfaction'],
  ['consentements', 'Compte et consentements'],
  ['fusions', 'Fiches fusionnées'],
] as const;

/** The 360° view: identity, contacts, household, every case the agent may see, and the rest. */
export function Citizen360Page({
  c,
  csrf,
  timezone,
  flash,
  mayMerge,
}: {
  c: Citizen360;
  csrf: string;
  timezone: string;
  flash: string | null;
  /** Whether the agent may merge this record (with `other`, when given) or split a merge of it. */
  mayMerge: (other?: number) => boolean;
}) {
  const date = (iso: string) => <time datetime={iso}>{formatDate(iso, timezone)}</time>;
  const dateTime = (iso: string) => <time datetime={iso}>{formatDateTime(iso, timezone)}</time>;
  return (
    <div class="citizen-360">
      <h1>{c.displayName}</h1>
      {flash ? (
        <p class="flash" role="status">
          {flash}
        </p>
      ) : null}
      {c.possibleDuplicateOf ? (
        <div class="citizen-banner" role="region" aria-labelledby="duplicate-title">
          <h2 id="duplicate-title">Doublon possible</h2>
          <p>
            À l’enregistrement, cette fiche a été signalée comme pouvant concerner la même personne que{' '}
            <a href={citizenUrl(c.possibleDuplicateOf.id)}>{c.possibleDuplicateOf.displayName}</a>.
          </p>
          <ul class="actions-list">
            {mayMerge(c.possibleDuplicateOf.id) ? (
              <li>
                <a href={mergeUrl(c.possibleDuplicateOf.id, c.id)}>Comparer et fusionner</a>
              </li>
            ) : null}
            <li>
              <form method="post" action={`/backoffice/usagers/${c.id}/pas-un-doublon`} class="inline-form">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit" class="secondary">
                  Ce ne sont pas les mêmes personnes
                </button>
              </form>
            </li>
          </ul>
        </div>
      ) : null}
      <ul class="actions-list citizen-actions">
        <li>
          <a href={`/backoffice/nouvelle-demande?usager=${c.id}`}>Enregistrer une demande pour cet usager</a>
        </li>
        {mayMerge() ? (
          <li>
            <a href={mergeUrl(c.id)}>Fusionner avec une autre fiche</a>
          </li>
        ) : null}
      </ul>
      <nav aria-label="Sur cette fiche" class="citizen-toc">
        <ul>
          {SECTIONS.map(([id, label]) => (
            <li>
              <a href={`#${id}-title`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>

      <Section id="identite" title="Identité">
        <p>
          <Assurance level={c.identityAssurance} long />
        </p>
        <dl class="facts">
          <Fact label="Civilité">{c.civility === 'Mme' ? 'Madame' : c.civility === 'M' ? 'Monsieur' : '—'}</Fact>
          <Fact label="Nom de naissance">{c.birthName ?? '—'}</Fact>
          <Fact label="Nom d’usage">{c.usageName ?? '—'}</Fact>
          <Fact label="Prénoms">{c.firstNames ?? '—'}</Fact>
          <Fact label="Date de naissance">{birthDate(c.birthDate)}</Fact>
          <Fact label="Fiche créée le">{date(c.createdAt)}</Fact>
          <Fact label="Identités vérifiées">{c.identityProviders.length ? c.identityProviders.map(providerLabel).join(', ') : 'Aucune'}</Fact>
          <Fact label="Numéro de fiche">{String(c.id)}</Fact>
        </dl>
      </Section>

      <Section id="coordonnees" title="Coordonnées">
        <h3>Courriels</h3>
        {c.emails.length === 0 ? (
          <p>Aucun courriel.</p>
        ) : (
          <ul>
            {c.emails.map((e) => (
              <li>
                {e.email} — <Provenance contact={e} timezone={timezone} />
                {e.primary ? ' — principal' : ''}
              </li>
            ))}
          </ul>
        )}
        <h3>Téléphones</h3>
        {c.phones.length === 0 ? (
          <p>Aucun téléphone.</p>
        ) : (
          <>
            {c.phones.some((p) => !p.verifiedAt) ? (
              <p class="hint">
                Un numéro déclaré ne fait apparaître personne quand il appelle. Confirmez-le seulement après avoir rappelé l’usager à ce numéro, ou
                l’avoir vu au guichet avec une pièce d’identité.
              </p>
            ) : null}
            <ul>
              {c.phones.map((p) => (
                <li>
                  {frenchPhone(p.phone)} — <Provenance contact={p} timezone={timezone} />
                  {p.primary ? ' — principal' : ''}
                  {p.verifiedAt ? null : (
                    <form method="post" action={`/backoffice/usagers/${c.id}/telephones/${p.id}/confirmer`} class="inline-form">
                      <input type="hidden" name="_csrf" value={csrf} />
                      <button type="submit" class="secondary">
                        Confirmer ce numéro<span class="sr-only"> ({frenchPhone(p.phone)})</span>
                      </button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>Adresses</h3>
        {c.addresses.length === 0 ? (
          <p>Aucune adresse.</p>
        ) : (
          <ul>
            {c.addresses.map((a) => (
              <li>
                {a.text} — <Provenance contact={a} timezone={timezone} />
                {a.primary ? ' — principale' : ''}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="foyer" title="Foyer">
        {c.household === null ? (
          <p>Aucun foyer déclaré.</p>
        ) : (
          <table class="citizen-table">
            <caption>{c.household.name}</caption>
            <thead>
              <tr>
                <th scope="col">Membre</th>
                <th scope="col">Rôle</th>
                <th scope="col">Lien</th>
                <th scope="col">Date de naissance</th>
              </tr>
            </thead>
            <tbody>
              {c.household.members.map((m) => (
                <tr>
                  <th scope="row">{m.citizenId !== null && m.citizenId !== c.id ? <a href={citizenUrl(m.citizenId)}>{`${m.firstNames} ${m.lastName}`}</a> : `${m.firstNames} ${m.lastName}`}</th>
                  <td>{RELATIONSHIP_ROLE[m.role]}</td>
                  <td>{m.relationship ?? '—'}</td>
                  <td>{birthDate(m.birthDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section id="demandes" title="Demandes">
        {c.cases.length === 0 ? (
          <p>Aucune demande dans vos services.</p>
        ) : (
          <table class="citizen-table">
            <caption>{c.cases.length === 1 ? '1 demande dans vos services' : `${c.cases.length} demandes dans vos services`}, tous canaux confondus</caption>
            <thead>
              <tr>
                <th scope="col">Référence</th>
                <th scope="col">Objet</th>
                <th scope="col">Canal</th>
                <th scope="col">Service</th>
                <th scope="col">Reçue le</th>
                <th scope="col">Statut</th>
              </tr>
            </thead>
            <tbody>
              {c.cases.map((k) => (
                <tr>
                  <th scope="row">
                    <a href={caseUrl(k.reference)}>{k.reference}</a>
                  </th>
                  <td>{k.title}</td>
                  <td>
                    <span aria-hidden="true">{CHANNEL_ICONS[k.channel] ?? '•'}</span> {k.channelLabel}
                  </td>
                  <td>{k.departmentName}</td>
                  <td>{date(k.receivedAt)}</td>
                  <td>
                    <span class={k.closed ? 'badge' : 'badge badge-open'}>{k.statusLabel}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {c.hiddenCaseCount > 0 ? (
          <p class="citizen-hidden-cases">
            {c.hiddenCaseCount === 1 ? '1 autre demande dans d’autres services' : `${c.hiddenCaseCount} autres demandes dans d’autres services`} (non consultables depuis vos services).
          </p>
        ) : null}
      </Section>

      <Section id="messages" title="Messages">
        {c.messages.length === 0 ? (
          <p>Aucun message sur ces demandes.</p>
        ) : (
          <ol class="citizen-messages">
            {c.messages.map((m) => (
              <li>
                <details>
                  <summary>
                    {dateTime(m.createdAt)} — {DIRECTION[m.direction]} — dossier {m.caseReference} — {m.subject || '(sans objet)'}
                  </summary>
                  <p class="citizen-message-meta">
                    Canal : {m.channel} — état : {m.status} — <a href={caseUrl(m.caseReference)}>ouvrir le dossier {m.caseReference}</a>
                  </p>
                  <div class="citizen-message-body">{m.body}</div>
                </details>
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section id="appels" title="Appels téléphoniques">
        {c.calls.length === 0 ? (
          <p>Aucun appel enregistré.</p>
        ) : (
          <ol class="citizen-messages">
            {c.calls.map((k) => (
              <li>
                {dateTime(k.startedAt)} — {k.direction === 'in' ? 'Appel reçu' : 'Appel passé'} — {/\d/.test(k.number) ? frenchPhone(k.number) : 'numéro masqué'}
                {k.answeredAt ? (k.agentName ? ` — pris par ${k.agentName}` : ' — décroché') : k.state === 'ended' ? ' — non décroché' : ''}
                {k.state === 'ended' && k.answeredAt && k.endedAt ? ` — ${callDuration(k.answeredAt, k.endedAt)}` : k.state !== 'ended' ? ' — en cours' : ''}
                {k.caseReference ? (
                  <>
                    {' '}
                    — demande <a href={caseUrl(k.caseReference)}>{k.caseReference}</a>
                  </>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section id="documents" title="Documents">
        <h3>Pièces des demandes</h3>
        {c.attachments.length === 0 ? (
          <p>Aucune pièce jointe.</p>
        ) : (
          <ul>
            {c.attachments.map((a) => (
              <li>
                <a href={fileUrl(a.caseReference, a.id)}>{a.filename}</a> ({a.mimeType}, {formatSize(a.size)}) — dossier {a.caseReference}, {date(a.createdAt)}
              </li>
            ))}
          </ul>
        )}
        <h3>Coffre-fort de l’usager</h3>
        {c.documents.length === 0 ? (
          <p>Aucun document dans le coffre-fort.</p>
        ) : (
          <ul>
            {c.documents.map((d) => (
              <li>
                {DOCUMENT_KIND[d.kind] ?? d.kind} : {d.label}
                {d.filename ? ` (${d.filename})` : ''} — déposé le {date(d.createdAt)}
                {d.expiresOn ? <> — valable jusqu’au {birthDate(d.expiresOn)}</> : null}
              </li>
            ))}
          </ul>
        )}
        <p class="hint">Les documents du coffre-fort appartiennent à l’usager : seuls ceux qu’il joint à une demande sont consultables.</p>
      </Section>

      <Section id="satisfaction" title="Satisfaction">
        {c.satisfaction.length === 0 ? (
          <p>Aucune réponse au questionnaire de satisfaction.</p>
        ) : (
          <ul>
            {c.satisfaction.map((s) => (
              <li>
                Dossier {s.caseReference} : {s.rating} sur 5, le {date(s.createdAt)}
                {s.comment ? <> — « {s.comment} »</> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="consentements" title="Compte et consentements">
        {c.account === null ? (
          <p>Pas de compte en ligne.</p>
        ) : (
          <dl class="facts">
            <Fact label="Compte en ligne">
              {c.account.email}, ouvert le {date(c.account.createdAt)} ({c.account.withPassword ? 'mot de passe' : 'FranceConnect uniquement'})
            </Fact>
            <Fact label="Adresse du compte">{c.account.emailVerifiedAt ? <>vérifiée le {date(c.account.emailVerifiedAt)}</> : 'non vérifiée'}</Fact>
            <Fact label="Avis par courriel">{c.account.notifyEmail ? 'Accepte' : 'Refuse'}</Fact>
            <Fact label="Avis par SMS">{c.account.notifySms ? 'Accepte' : 'Refuse'}</Fact>
            <Fact label="Suppression du compte">{c.account.deletionRequestedAt ? <>demandée le {date(c.account.deletionRequestedAt)}</> : 'Non demandée'}</Fact>
          </dl>
        )}
      </Section>

      <Section id="fusions" title="Fiches fusionnées">
        {c.merges.length === 0 && c.notDuplicates.length === 0 ? <p>Aucune fiche fusionnée dans celle-ci.</p> : null}
        {c.merges.map((m) => (
          <MergeHistory merge={m} date={date} splitHref={m.splittable && mayMerge(m.mergedCitizenId) ? splitUrl(c.id, m.id) : null} />
        ))}
        {c.notDuplicates.length > 0 ? (
          <>
            <h3>Doublons écartés</h3>
            <ul>
              {c.notDuplicates.map((d) => (
                <li>
                  Pas la même personne que la <a href={citizenUrl(d.otherId)}>fiche n° {d.otherId}</a> — décidé par {d.agentName} le {date(d.createdAt)}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Section>
    </div>
  );
}

/** « 3 min 05 s » */
function callDuration(from: string, to: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
}

function providerLabel(provider: string): string {
  return provider === 'franceconnect' ? 'FranceConnect' : provider;
}

/** What a merge brought in, from its snapshot, in plain words. */
function MergeHistory({ merge, date, splitHref }: { merge: Citizen360['merges'][number]; date: (iso: string) => preact.JSX.Element; splitHref: string | null }) {
  const s: MergeSnapshot = merge.snapshot;
  return (
    <article class="citizen-merge">
      <h3>
        {s.citizen.displayName} (fiche n° {merge.mergedCitizenId}), fusionnée le {date(merge.createdAt)} par {merge.agentName}
        {merge.splitAt ? <> — séparée le {date(merge.splitAt)}</> : null}
      </h3>
      <dl class="facts">
        <Fact label="Identité de la fiche fusionnée">
          {[s.citizen.civility === 'M' ? 'M.' : s.citizen.civility, s.citizen.first_names, s.citizen.birth_name, s.citizen.usage_name ? `(usage : ${s.citizen.usage_name})` : null].filter(Boolean).join(' ')}
          {s.citizen.birth_date ? `, né(e) le ${birthDate(s.citizen.birth_date)}` : ''} — {ASSURANCE[s.citizen.identity_assurance].label.toLowerCase()}
        </Fact>
        <Fact label="Identité conservée">{s.identityFrom === 'merged' ? 'celle de la fiche fusionnée' : 'celle de cette fiche'}</Fact>
        <Fact label="Courriels">{s.emails.length ? s.emails.map((e) => `${e.email}${e.verified ? ' (vérifié)' : ''}`).join(', ') : 'aucun'}</Fact>
        <Fact label="Téléphones">{s.phones.length ? s.phones.map(frenchPhone).join(', ') : 'aucun'}</Fact>
        <Fact label="Adresses">{s.addresses.length ? s.addresses.join(' ; ') : 'aucune'}</Fact>
        <Fact label="Demandes rattachées">{s.cases.length ? s.cases.map((c) => c.reference).join(', ') : 'aucune'}</Fact>
        <Fact label="Compte en ligne">
          {s.account ? `${s.account.email} — ${s.account.outcome === 'moved' ? 'rattaché à cette fiche' : 'fermé (cette fiche avait déjà un compte)'}` : 'aucun'}
        </Fact>
        <Fact label="Identités vérifiées">{s.identities.length ? s.identities.map((i) => providerLabel(i.provider)).join(', ') : 'aucune'}</Fact>
        <Fact label="Coffre-fort et satisfaction">
          {s.documents} document(s), {s.satisfactionAnswers} réponse(s) au questionnaire
        </Fact>
        {merge.identityCheck ? <Fact label="Vérification de l’identité">{merge.identityCheck}</Fact> : null}
      </dl>
      <ul class="actions-list">
        <li>
          <a href={citizenUrl(merge.mergedCitizenId)}>{merge.splitAt ? `Fiche n° ${merge.mergedCitizenId}` : `Ancienne fiche n° ${merge.mergedCitizenId}`}</a>
        </li>
        {splitHref ? (
          <li>
            <a href={splitHref}>
              Séparer<span class="visually-hidden"> la fiche n° {merge.mergedCitizenId} de cette fiche</span>
            </a>
          </li>
        ) : null}
      </ul>
    </article>
  );
}

/** The page of a record merged into another: where it went. */
export function MergedRecordPage({ r }: { r: MergedRecord }) {
  return (
    <>
      <h1>{r.displayName}</h1>
      <p class="citizen-banner">
        Cette fiche a été fusionnée dans la fiche de <a href={citizenUrl(r.keptId)}>{r.keptName}</a> : ses demandes, coordonnées et documents s’y trouvent désormais.
      </p>
    </>
  );
}
