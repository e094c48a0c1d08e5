import type { LegalContent } from '../content.js';
import { ContactLines } from './contact.js';

const SOURCE_URL = 'https://www.gnu.org/licenses/agpl-3.0.fr.html';

/** Mentions légales (LCEN article 6): publisher, publication director, host, software, reuse. */
export function LegalNoticePage({ content }: { content: LegalContent }) {
  const { publisher, host } = content;
  return (
    <article class="legal">
      <h1>Mentions légales</h1>
      <h2>Éditeur du service</h2>
      <p>Ce service en ligne de démarches est édité par :</p>
      <ContactLines contact={publisher} />
      {publisher.siren ? <p>Numéro SIREN : {publisher.siren}</p> : null}

      <h2>Directeur de la publication</h2>
      <p>{publisher.director ?? `Le maire de ${content.town.name}, en sa qualité de représentant légal de la commune.`}</p>

      <h2>Hébergement</h2>
      {host ? (
        <>
          <p>Le service est hébergé par :</p>
          <ContactLines contact={host} />
        </>
      ) : (
        <p>Le service est hébergé par {content.town.name} sur ses propres serveurs, à l’adresse de l’éditeur indiquée ci-dessus.</p>
      )}

      <h2>Logiciel</h2>
      <p>
        Ce service repose sur Guichet, logiciel libre de gestion de la relation avec les usagers, distribué sous la <a href={SOURCE_URL}>licence publique générale
        GNU Affero, version 3 ou ultérieure</a> (AGPL-3.0-or-later). Vous pouvez en obtenir le code source auprès de l’éditeur.
      </p>

      <h2>Réutilisation des contenus</h2>
      <p>
        Les textes de ce site qui décrivent les démarches sont des informations publiques : vous pouvez les réutiliser librement, à condition de ne pas en altérer le
        sens et d’en mentionner la source (code des relations entre le public et l’administration, article L322-1). Les logos et les marques restent la propriété de
        leurs titulaires.
      </p>

      <h2>Données personnelles et accessibilité</h2>
      <p>
        La façon dont vos données sont traitées et vos droits sont décrits sur la page <a href="/donnees-personnelles">Données personnelles</a>. L’état de conformité
        du service aux règles d’accessibilité figure dans la <a href="/accessibilite">déclaration d’accessibilité</a>. Les règles d’usage du service sont dans les{' '}
        <a href="/conditions-utilisation">conditions d’utilisation</a>.
      </p>
    </article>
  );
}

/** Conditions d'utilisation of the online services. */
export function TermsPage({ content }: { content: LegalContent }) {
  const town = content.town.name;
  return (
    <article class="legal">
      <h1>Conditions d’utilisation</h1>
      <p>
        Ces conditions s’appliquent aux services en ligne de {town} proposés sur ce site : information sur les démarches, dépôt et suivi des demandes, échanges avec
        les services de la mairie, et espace personnel. Utiliser ces services, c’est accepter ces conditions.
      </p>

      <h2>Accès au service</h2>
      <p>
        Le service est gratuit. Il est accessible à toute heure, sauf interruption pour maintenance ou incident ; la mairie s’efforce de les limiter et n’en répond pas.
        Les démarches restent possibles au guichet de la mairie, par courrier et par téléphone : le service en ligne ne remplace pas ces moyens, il s’y ajoute.
      </p>
      <p>
        Certaines démarches peuvent être faites sans compte ; les autres demandent de se connecter, avec un compte créé sur ce site ou avec FranceConnect lorsque la
        mairie le propose.
      </p>

      <h2>Votre compte</h2>
      <ul>
        <li>Vous vous engagez à fournir des informations exactes et à les tenir à jour depuis « Mon espace ».</li>
        <li>
          Votre mot de passe est personnel : gardez-le secret. Si vous pensez qu’une autre personne l’utilise, changez-le et mettez fin aux autres connexions depuis
          votre espace.
        </li>
        <li>Vous ne pouvez agir que pour vous-même, pour les membres de votre foyer, ou pour une personne qui vous a mandaté.</li>
        <li>Vous pouvez supprimer votre compte à tout moment depuis « Mon espace ».</li>
      </ul>

      <h2>Dépôt d’une demande</h2>
      <p>
        Une demande envoyée en ligne a la même valeur qu’une demande déposée au guichet ou par courrier (code des relations entre le public et l’administration, article
        L112-8). Elle reçoit un accusé de réception qui en donne la date, la référence et le délai de traitement, et un code pour la suivre.
      </p>
      <p>
        Les pièces jointes doivent être lisibles et correspondre à ce qui est demandé. Une fausse déclaration ou un faux document vous expose aux sanctions prévues par
        la loi (code pénal, articles 441-1 et 441-6).
      </p>

      <h2>Messages</h2>
      <p>
        Les messages échangés au sujet d’une demande sont conservés avec elle. Restez courtois : un message injurieux ou sans rapport avec la demande peut ne pas
        recevoir de réponse.
      </p>

      <h2>Usage loyal du service</h2>
      <p>
        Il est interdit de perturber le fonctionnement du service, d’essayer d’accéder aux données d’une autre personne ou de l’utiliser pour envoyer des contenus
        illicites. Le service limite le nombre de tentatives de connexion pour vous protéger.
      </p>

      <h2>Données personnelles</h2>
      <p>
        Les traitements de vos données, leurs finalités et vos droits sont décrits sur la page <a href="/donnees-personnelles">Données personnelles</a>.
      </p>

      {content.termsExtra.length > 0 ? (
        <>
          <h2>Dispositions particulières</h2>
          {content.termsExtra.map((p) => (
            <p>{p}</p>
          ))}
        </>
      ) : null}

      <h2>Évolution des conditions et droit applicable</h2>
      <p>
        {town} peut modifier ces conditions ; la version en vigueur est celle publiée sur cette page. Elles sont soumises au droit français ; un litige relève du
        tribunal administratif compétent.
      </p>
    </article>
  );
}
