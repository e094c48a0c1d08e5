/**
 * The parts of a case the page and its print view share: facts and deadlines, the citizen, the
 * answers with the form's labels, the files, the place, the timeline.
 */
import { formatSize } from '../../../attachments/service.js';
import { URGENCY_LABEL } from '../../../cases/urgency.js';
import { AnswerList } from '../../../portal/forms/fields/index.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { CHANNEL_LABELS } from '../../../portal/cases/service.js';
import { formatDate, formatDateTime } from '../../../portal/cases/views/dates.js';
import type { CaseAttachment } from '../repository.js';
import type { TimelineEntry } from '../timeline.js';
import { ASSURANCE_LABEL, type CasePageModel } from './model.js';

/** « 06 12 34 56 78 » for a French number, the international form for others. */
function frenchPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === 'FR' ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * A small drawing per channel, beside its label (the label is what is read out). Inline SVG: no
 * font or image to fetch, and it follows the text colour.
 */
const CHANNEL_PATHS: Record<string, string> = {
  web: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18',
  mobile: 'M8 2h8a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1M11 19h2',
  email: 'M3 6h18v12H3zM3 6l9 7l9-7',
  phone: 'M5 3h4l2 5l-3 2a11 11 0 0 0 6 6l2-3l5 2v4a2 2 0 0 1-2 2A18 18 0 0 1 3 5a2 2 0 0 1 2-2',
  counter: 'M3 21h18M4 10h16M12 3l9 5H3zM6 10v8M10 10v8M14 10v8M18 10v8',
  mail: 'M3 6h18v12H3zM3 6l9 7l9-7M16 9h3v3h-3z',
  social: 'M4 4h16v11H9l-5 4z',
  api: 'M8 7l-5 5l5 5M16 7l5 5l-5 5M14 4l-4 16',
  open311: 'M12 22s7-7 7-12a7 7 0 0 0-14 0c0 5 7 12 7 12zM12 7a3 3 0 1 0 0 6a3 3 0 1 0 0-6',
};

/**
 * A text symbol per channel, for pages that write one before the label (the citizens' 360° view
 * uses it); prefer `<Channel>`, whose drawing needs no emoji font.
 */
export const CHANNEL_ICONS: Record<string, string> = {
  web: '🖥',
  mobile: '📱',
  email: '✉',
  phone: '☎',
  counter: '🏛',
  mail: '📮',
  social: '💬',
  api: '⚙',
  open311: '📍',
};

/** A channel: its drawing and its label. */
export function Channel({ channel }: { channel: string }) {
  return (
    <span class="case-channel">
      <svg class="case-channel-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path d={CHANNEL_PATHS[channel] ?? CHANNEL_PATHS['web']} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
      </svg>{' '}
      {CHANNEL_LABELS[channel] ?? channel}
    </span>
  );
}

const PRIORITY_LABEL: Record<string, string> = { low: 'Basse', normal: 'Normale', high: 'Haute', urgent: 'Urgente' };
const OUTCOME_LABEL: Record<string, string> = { accepted: 'Favorable', refused: 'Défavorable', without_action: 'Classée sans suite', duplicate: 'Doublon fusionné dans un autre dossier' };

export const caseUrl = (reference: string) => `/backoffice/dossiers/${encodeURIComponent(reference)}`;
export const fileUrl = (reference: string, id: string) => `${caseUrl(reference)}/pieces/${encodeURIComponent(id)}`;

function Time({ iso, timezone, withTime = true }: { iso: string; timezone: string; withTime?: boolean }) {
  return <time datetime={iso}>{withTime ? formatDateTime(iso, timezone) : formatDate(iso, timezone)}</time>;
}

function Fact({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The state of the case at a glance: status, urgency, wait for the citizen. */
export function CaseBadges({ model }: { model: CasePageModel }) {
  const { urgency } = model;
  return (
    <p class="case-badges">
      <span class="badge">Statut : {model.status.label}</span>{' '}
      {urgency === 'overdue' || urgency === 'at_risk' ? (
        <>
          <span class={urgency === 'overdue' ? 'badge badge-danger' : 'badge badge-warning'}>{URGENCY_LABEL[urgency]}</span>{' '}
        </>
      ) : null}
      {model.waitingSince ? <span class="badge badge-warning">En attente de l’usager</span> : null}
      {model.status.closed ? <span class="badge">Clos</span> : null}
    </p>
  );
}

/** The case's facts and dates, deadlines included. */
export function CaseFacts({ model }: { model: CasePageModel }) {
  const { view, timezone } = model;
  return (
    <section aria-labelledby="case-facts-title" class="case-section">
      <h2 id="case-facts-title">Le dossier</h2>
      <dl class="case-facts">
        <Fact label="Référence">{view.reference}</Fact>
        <Fact label="Objet">{view.subject}</Fact>
        <Fact label="Démarche">{view.procedure?.title ?? 'Demande sans démarche (contact)'}</Fact>
        <Fact label="Canal">
          <Channel channel={view.channel} />
        </Fact>
        <Fact label="Service">{view.department.name}</Fact>
        <Fact label="Statut">{model.status.label}</Fact>
        <Fact label="Agent attribué">{model.assignedAgent ?? 'Personne'}</Fact>
        <Fact label="Priorité">{PRIORITY_LABEL[view.priority] ?? view.priority}</Fact>
        <Fact label="Reçue le">
          <Time iso={view.receivedAt} timezone={timezone} />
        </Fact>
        <Fact label="Échéance de traitement">
          {view.dueAt ? (
            <>
              <Time iso={view.dueAt} timezone={timezone} />
              {view.closedAt === null ? <> — {URGENCY_LABEL[model.urgency].toLowerCase()}</> : null}
            </>
          ) : (
            'Aucune'
          )}
        </Fact>
        {model.waitingSince ? (
          <Fact label="En attente de l’usager depuis le">
            <Time iso={model.waitingSince} timezone={timezone} /> (le délai de traitement est suspendu)
          </Fact>
        ) : null}
        {model.silence ? (
          <Fact label="Décision implicite (silence de l’administration)">
            le <Time iso={model.silence.at} timezone={timezone} withTime={false} />, le silence vaut {model.silence.regime === 'accept' ? 'acceptation' : 'rejet'}
          </Fact>
        ) : model.waitingSince && model.view.closedAt === null ? (
          <Fact label="Décision implicite (silence de l’administration)">Délai suspendu tant que l’usager n’a pas répondu</Fact>
        ) : null}
        {model.implicitDecision ? (
          <Fact label="Décision implicite née">
            {model.implicitDecision.regime === 'accept' ? 'Acceptation' : 'Rejet'} (enregistrée le <Time iso={model.implicitDecision.recordedAt} timezone={timezone} />)
          </Fact>
        ) : null}
        {view.closedAt ? (
          <Fact label="Clos le">
            <Time iso={view.closedAt} timezone={timezone} />
            {view.outcome ? <> — {OUTCOME_LABEL[view.outcome] ?? view.outcome}</> : null}
          </Fact>
        ) : null}
        <Fact label="Version">{view.version}</Fact>
      </dl>
    </section>
  );
}

/** Who asks: the citizen's record (with a link to their 360° view), or the contact an anonymous request gave. */
export function CaseCitizenBlock({ model, links = true }: { model: CasePageModel; links?: boolean }) {
  const { citizen, view } = model;
  return (
    <section aria-labelledby="case-citizen-title" class="case-section">
      <h2 id="case-citizen-title">Usager</h2>
      {citizen ? (
        <dl class="case-facts">
          <Fact label="Nom">{links ? <a href={`/backoffice/usagers/${citizen.id}`}>{citizen.name}</a> : citizen.name}</Fact>
          <Fact label="Identité">{ASSURANCE_LABEL[citizen.assurance]}</Fact>
          <Fact label="Courriel">{citizen.email ?? view.contact.email ?? 'Non renseigné'}</Fact>
          <Fact label="Téléphone">{citizen.phone ? frenchPhone(citizen.phone) : view.contact.phone ? frenchPhone(view.contact.phone) : 'Non renseigné'}</Fact>
          {citizen.address ? <Fact label="Adresse">{citizen.address}</Fact> : null}
        </dl>
      ) : (
        <>
          <p>Demande anonyme : aucune fiche usager n’est rattachée.</p>
          <dl class="case-facts">
            <Fact label="Courriel donné">{view.contact.email ?? 'Aucun'}</Fact>
            <Fact label="Téléphone donné">{view.contact.phone ? frenchPhone(view.contact.phone) : 'Aucun'}</Fact>
          </dl>
        </>
      )}
      {citizen && links ? (
        <p>
          <a href={`/backoffice/usagers/${citizen.id}`}>Voir la fiche complète de l’usager</a>
        </p>
      ) : null}
    </section>
  );
}

/** What the citizen filled in, with the form's labels. */
export function CaseAnswers({ model }: { model: CasePageModel }) {
  return (
    <section aria-labelledby="case-data-title" class="case-section">
      <h2 id="case-data-title">Données de la demande</h2>
      {model.answers ? (
        <AnswerList fields={model.answers.fields} values={model.answers.values} context={{ householdMembers: model.answers.householdMembers, uploads: model.answers.uploads }} />
      ) : (
        <p>Cette demande n’a pas de formulaire : son contenu est dans les messages ci-dessous.</p>
      )}
    </section>
  );
}

const TYPE_WORDS: Record<string, string> = {
  'application/pdf': 'document PDF',
  'image/jpeg': 'image JPEG',
  'image/png': 'image PNG',
  'image/webp': 'image WebP',
  'image/heic': 'photo HEIC',
};

/** « document PDF, 120 ko »: a file's type and size in words. */
export function describeFile(file: Pick<CaseAttachment, 'mimeType' | 'size'>): string {
  return `${TYPE_WORDS[file.mimeType] ?? file.mimeType}, ${formatSize(file.size)}`;
}

/** Types a browser shows by itself; others (HEIC) are downloaded. */
const PREVIEWABLE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** The case's files, each with a preview when the browser can show it, and a download link. */
export function CaseAttachments({ model, previews = true }: { model: CasePageModel; previews?: boolean }) {
  const { view, attachments, timezone } = model;
  return (
    <section aria-labelledby="case-files-title" class="case-section">
      <h2 id="case-files-title">Pièces jointes ({attachments.length})</h2>
      {attachments.length === 0 ? <p>Aucune pièce jointe.</p> : null}
      <ul class="case-files">
        {attachments.map((file) => (
          <li class="case-file">
            <p class="case-file-name">
              <a href={`${fileUrl(view.reference, file.id)}?telecharger=1`} download={file.filename}>
                Télécharger {file.filename}
              </a>{' '}
              <span class="hint">
                ({describeFile(file)}, ajoutée le <Time iso={file.createdAt} timezone={timezone} />
                {file.fromReference ? <>, reprise du dossier {file.fromReference} fusionné dans celui-ci</> : null})
              </span>
            </p>
            {previews && PREVIEWABLE_IMAGES.has(file.mimeType) ? (
              <img class="case-file-image" src={fileUrl(view.reference, file.id)} alt={`Pièce jointe : ${file.filename}`} loading="lazy" />
            ) : null}
            {previews && file.mimeType === 'application/pdf' ? (
              <iframe class="case-file-pdf" src={fileUrl(view.reference, file.id)} title={`Aperçu du document ${file.filename}`} loading="lazy"></iframe>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** « 48,8566 » : coordinates the French way. */
const coordinate = (value: number) => String(Math.round(value * 1e6) / 1e6).replace('.', ',');

/** OpenStreetMap's page centred on a point with a marker. */
export function osmUrl(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}

/**
 * Where the request is about: the address in words always, the coordinates and a link to a map;
 * the map itself (Leaflet, loaded by `case.client.js`) when tiles are configured and JS runs.
 */
export function CaseLocation({ model, map }: { model: CasePageModel; map: { tileUrl: string; attribution: string } | null }) {
  const location = model.view.location;
  if (!location) return null;
  const point = location.lat !== null && location.lon !== null ? { lat: location.lat, lon: location.lon } : null;
  return (
    <section aria-labelledby="case-place-title" class="case-section">
      <h2 id="case-place-title">Localisation</h2>
      <p>{location.address ?? 'Adresse non précisée'}</p>
      {point ? (
        <>
          <p>
            Coordonnées : latitude {coordinate(point.lat)}, longitude {coordinate(point.lon)}
          </p>
          <p>
            <a href={osmUrl(point.lat, point.lon)}>
              Voir sur une carte<span class="visually-hidden"> (OpenStreetMap, nouveau site)</span>
            </a>
          </p>
          {map ? (
            <div
              class="case-map"
              data-case-map=""
              data-lat={String(point.lat)}
              data-lon={String(point.lon)}
              data-tile-url={map.tileUrl}
              data-attribution={map.attribution}
              role="region"
              aria-label="Carte du lieu de la demande (le lieu est décrit ci-dessus)"
              hidden
            ></div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** The one timeline: events and messages in order, internal notes set apart. */
export function CaseTimeline({ model, expand = false }: { model: CasePageModel; expand?: boolean }) {
  const { timezone, view } = model;
  return (
    <section aria-labelledby="case-timeline-title" class="case-section">
      <h2 id="case-timeline-title">Historique</h2>
      <ol class="case-timeline">
        {model.timeline.map((entry) => (
          <TimelineItem entry={entry} timezone={timezone} reference={view.reference} expand={expand} />
        ))}
      </ol>
    </section>
  );
}

/** Messages longer than this (acknowledgments, letters) are folded on the page, never in print. */
const LONG_MESSAGE = 600;

function TimelineItem({ entry, timezone, reference, expand }: { entry: TimelineEntry; timezone: string; reference: string; expand: boolean }) {
  const kind = entry.kind === 'note' ? 'timeline-note' : entry.kind === 'message' ? (entry.message?.direction === 'in' ? 'timeline-message timeline-message--in' : 'timeline-message') : 'timeline-event';
  return (
    <li class={`timeline-entry ${kind}`}>
      <p class="timeline-meta">
        <Time iso={entry.at} timezone={timezone} /> — {entry.actor}
        {entry.kind === 'note' ? (
          <>
            {' '}
            <span class="badge">Note interne, non visible de l’usager</span>
          </>
        ) : null}
      </p>
      <p class="timeline-title">{entry.title}</p>
      {entry.details.length > 0 ? (
        <ul class="timeline-details">
          {entry.details.map((d) => (
            <li>{d}</li>
          ))}
        </ul>
      ) : null}
      {entry.text ? <p class="timeline-text">{entry.text}</p> : null}
      {entry.mentions.length > 0 ? <p class="timeline-mentions">Mentionne : {entry.mentions.join(', ')}</p> : null}
      {entry.message ? (
        <div class="timeline-body">
          <p>
            <strong>Objet :</strong> {entry.message.subject}
          </p>
          {entry.message.body ? (
            !expand && entry.message.body.length > LONG_MESSAGE ? (
              <details>
                <summary>Lire le message ({entry.message.body.length.toLocaleString('fr-FR')} caractères)</summary>
                <p class="timeline-text">{entry.message.body}</p>
              </details>
            ) : (
              <p class="timeline-text">{entry.message.body}</p>
            )
          ) : null}
          <p class="hint">
            {entry.message.direction === 'in' ? 'Reçu' : 'Envoi'} par {entry.message.channel}
            {entry.message.recipient ? <> à {entry.message.recipient}</> : null} — état : <span class={entry.message.failed ? 'timeline-failed' : undefined}>{entry.message.delivery}</span>
          </p>
          {entry.message.direction === 'out' && entry.message.letter ? (
            <p>
              <a href={`${caseUrl(reference)}/courrier/${entry.message.id}.pdf`}>
                Lettre à imprimer (PDF)<span class="visually-hidden"> : {entry.message.subject}</span>
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
      {entry.files.length > 0 ? (
        <ul class="timeline-files">
          {entry.files.map((f) => (
            <li>
              <a href={`${fileUrl(reference, f.id)}?telecharger=1`} download={f.filename}>
                {f.filename}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
