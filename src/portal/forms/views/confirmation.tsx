import type { IntakeReceipt } from '../../../intake/service.js';
import { durationInWords } from '../../../deadlines/duration-words.js';
import type { DraftSummary } from '../repository.js';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** "29 novembre 2026 à 10:42" in the town's time zone. */
export function frenchDateTime(iso: string, timezone: string): string {
  let format = dateTimeFormats.get(timezone);
  if (!format) dateTimeFormats.set(timezone, (format = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: timezone })));
  return format.format(new Date(iso));
}

function frenchDate(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: timezone }).format(new Date(iso));
}

export interface ConfirmationProps {
  receipt: IntakeReceipt;
  timezone: string;
  /** Signed in: the acknowledgment is under "Mes demandes"; otherwise under the tracking code. */
  signedIn: boolean;
}

/** "Votre demande a bien été envoyée": what the citizen must keep, and how to follow the request. */
export function ConfirmationPage({ receipt, timezone, signedIn }: ConfirmationProps) {
  const d = receipt.department;
  const pdf = signedIn ? `/demandes/${encodeURIComponent(receipt.reference)}/accuse-reception.pdf` : `/suivi/${encodeURIComponent(receipt.trackingCode)}/accuse-reception.pdf`;
  return (
    <>
      <div class="notice" role="status">
        <h1>Votre demande a bien été envoyée</h1>
        <p>
          {receipt.procedure.title} — dossier <strong>{receipt.reference}</strong>
        </p>
      </div>
      {receipt.contactEmail ? <p>Un accusé de réception a été envoyé à {receipt.contactEmail}.</p> : null}
      <dl>
        <dt>Référence du dossier</dt>
        <dd>{receipt.reference}</dd>
        <dt>Reçue le</dt>
        <dd>{frenchDateTime(receipt.receivedAt, timezone)}</dd>
        <dt>Service qui traite votre demande</dt>
        <dd>{d.name}</dd>
        {d.phone || d.email || d.address ? (
          <>
            <dt>Pour le joindre</dt>
            <dd>
              {[d.phone ? `téléphone : ${d.phone}` : null, d.email ? `courriel : ${d.email}` : null, d.address ? `adresse : ${d.address}` : null]
                .filter(Boolean)
                .join(' ; ')}
            </dd>
          </>
        ) : null}
        <dt>Délai de traitement</dt>
        <dd>
          {durationInWords(receipt.procedure.target.value, receipt.procedure.target.unit)}
          {receipt.dueAt ? `, soit au plus tard le ${frenchDate(receipt.dueAt, timezone)}` : ''}
        </dd>
        {receipt.implicitDecisionAt && receipt.procedure.silence.regime !== 'none' ? (
          <>
            <dt>Sans réponse de la mairie</dt>
            <dd>
              votre demande sera considérée comme {receipt.procedure.silence.regime === 'accept' ? 'acceptée' : 'refusée'} le{' '}
              {frenchDate(receipt.implicitDecisionAt, timezone)}, sous réserve que votre dossier soit complet.
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Votre code de suivi</h2>
      <p class="tracking-code">
        <strong>{receipt.trackingCode}</strong>
      </p>
      <p>
        Gardez ce code : il permet de <a href={`/suivi/${encodeURIComponent(receipt.trackingCode)}`}>suivre votre demande</a>, même sans compte.
      </p>
      <p>
        <a href={pdf}>Télécharger l’accusé de réception (PDF)</a>
      </p>
      {signedIn ? (
        <p>
          Retrouvez cette demande dans <a href="/mes-demandes">Mes demandes</a>.
        </p>
      ) : null}
    </>
  );
}

/** "Mes brouillons": the signed-in citizen's unfinished forms. */
export function DraftsPage({ drafts, csrf, timezone, deleted }: { drafts: DraftSummary[]; csrf: string; timezone: string; deleted: boolean }) {
  return (
    <>
      <h1>Mes brouillons</h1>
      {deleted ? (
        <p class="notice" role="status">
          Le brouillon a été supprimé.
        </p>
      ) : null}
      {drafts.length === 0 ? (
        <p>
          Vous n’avez aucune demande en cours de saisie. <a href="/">Voir les démarches en ligne</a>
        </p>
      ) : (
        <table>
          <caption class="sr-only">Demandes commencées et non envoyées</caption>
          <thead>
            <tr>
              <th scope="col">Démarche</th>
              <th scope="col">Dernier enregistrement</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {drafts.map((d) => (
              <tr>
                <td>{d.procedureTitle}</td>
                <td>{frenchDateTime(d.updatedAt, timezone)}</td>
                <td>
                  <a href={`/demarches/${d.procedureSlug}/brouillons/${d.id}`}>
                    Reprendre<span class="sr-only"> : {d.procedureTitle}</span>
                  </a>
                  <form method="post" action={`/mes-brouillons/${d.id}/supprimer`}>
                    <input type="hidden" name="_csrf" value={csrf} />
                    <button type="submit" class="secondary draft-delete">
                      Supprimer<span class="sr-only"> le brouillon : {d.procedureTitle}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
