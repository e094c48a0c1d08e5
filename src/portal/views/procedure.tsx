import type { CatalogueEntry } from '../catalogue.js';
import { durationInWords } from '../../deadlines/duration-words.js';

export interface ProcedurePageProps {
  entry: CatalogueEntry;
  department: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  /**
   * The online form's start: the form's CSRF value, the signed-in citizen's draft of this
   * procedure to resume (if any), whether someone is signed in. Absent: not open online.
   */
  start?: { csrf: string; draftId: string | null; signedIn: boolean } | undefined;
}

/** What a procedure is for, who can ask, what to prepare, how long it takes and what silence means. */
export function ProcedurePage({ entry, department, start }: ProcedurePageProps) {
  const silence = entry.silence.delay ? durationInWords(entry.silence.delay.value, entry.silence.delay.unit) : null;
  return (
    <>
      <p>
        <a href="/">Toutes les démarches</a> › {entry.category}
      </p>
      <h1>{entry.title}</h1>
      <p class="lead">{entry.description}</p>
      <h2>Qui peut la faire</h2>
      <p>
        {entry.allowAnonymous
          ? 'Tout le monde, avec ou sans compte : sans compte, un code de suivi vous est donné pour suivre votre demande.'
          : 'Toute personne concernée, en s’identifiant : vos informations connues de la mairie sont reprises pour vous.'}
      </p>
      <h2>Ce qu’il faut préparer</h2>
      <ul>
        <li>vos coordonnées (adresse électronique ou téléphone) pour recevoir la réponse ;</li>
        {entry.documents.map((d) => (
          <li>{d}</li>
        ))}
      </ul>
      <h2>Délai</h2>
      <p>La mairie s’engage à traiter votre demande en {durationInWords(entry.target.value, entry.target.unit)}.</p>
      {silence && entry.silence.regime !== 'none' ? (
        <p>
          {entry.silence.regime === 'accept'
            ? `Sans réponse de la mairie dans un délai de ${silence}, votre demande est considérée comme acceptée, sous réserve que votre dossier soit complet.`
            : `Sans réponse de la mairie dans un délai de ${silence}, votre demande est considérée comme refusée ; vous pourrez alors en demander les motifs.`}
        </p>
      ) : null}
      <h2>Comment la faire</h2>
      {start ? <OnlineStart slug={entry.slug} start={start} /> : null}
      <p>
        {start ? 'Vous pouvez aussi la faire' : 'Le formulaire en ligne de cette démarche n’est pas disponible. Vous pouvez la faire'}
        {department ? ` auprès du service ${department.name}` : ' à l’accueil de la mairie'}
        {department?.phone ? `, par téléphone au ${department.phone}` : ''}
        {department?.email ? `, ou par courriel à ${department.email}` : ''}.
      </p>
      {department?.address ? <p>Adresse : {department.address}</p> : null}
    </>
  );
}

function OnlineStart({ slug, start }: { slug: string; start: NonNullable<ProcedurePageProps['start']> }) {
  return (
    <>
      <p>En ligne, en quelques étapes : vous pouvez enregistrer vos réponses et reprendre plus tard, puis vérifier le tout avant l’envoi.</p>
      {start.draftId ? (
        <p>
          <a class="button" href={`/demarches/${slug}/brouillons/${start.draftId}`}>
            Reprendre mon brouillon
          </a>
        </p>
      ) : null}
      <form method="post" action={`/demarches/${slug}/commencer`}>
        <input type="hidden" name="_csrf" value={start.csrf} />
        <button type="submit">{start.draftId ? 'Commencer une nouvelle demande' : 'Commencer la démarche'}</button>
      </form>
      {start.signedIn ? null : (
        <p>
          <a href={`/connexion?retour=${encodeURIComponent(`/demarches/${slug}`)}`}>Connectez-vous</a> avant de commencer : les informations que la
          mairie connaît déjà (identité, adresse, enfants) seront reprises pour vous et vous suivrez votre demande dans votre espace.
        </p>
      )}
    </>
  );
}
