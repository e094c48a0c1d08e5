import type { LegalContent } from '../content.js';
import { ContactLines } from './contact.js';

/** Données personnelles (RGPD articles 12 to 22): controller, DPO, each processing, cookies, rights and how to use them. */
export function PersonalDataPage({ content }: { content: LegalContent }) {
  const town = content.town.name;
  return (
    <article class="legal">
      <h1>Données personnelles</h1>
      <p>
        Pour traiter vos démarches, {town} a besoin de certaines informations vous concernant. Cette page dit lesquelles, pourquoi, combien de temps elles sont
        gardées, qui les voit, et comment exercer vos droits.
      </p>

      <h2>Responsable des traitements</h2>
      <p>Le responsable des traitements est {town}, représentée par son maire :</p>
      <ContactLines contact={content.publisher} withName={false} />

      <h2>Délégué à la protection des données</h2>
      <p>Pour toute question sur vos données, vous pouvez écrire au délégué à la protection des données (DPO) :</p>
      <ContactLines contact={content.dpo} />

      <h2 id="traitements">Les traitements</h2>
      <div class="table-scroll" role="region" aria-labelledby="traitements-titre" tabIndex={0}>
        <table>
          <caption id="traitements-titre">Traitements de données personnelles du service en ligne</caption>
          <thead>
            <tr>
              <th scope="col">Traitement</th>
              <th scope="col">Finalité</th>
              <th scope="col">Base légale</th>
              <th scope="col">Données</th>
              <th scope="col">Durée de conservation</th>
              <th scope="col">Destinataires</th>
            </tr>
          </thead>
          <tbody>
            {content.processings.map((p) => (
              <tr>
                <th scope="row">{p.name}</th>
                <td>{p.purpose}</td>
                <td>{p.legalBasis}</td>
                <td>{p.data}</td>
                <td>{p.retention}</td>
                <td>{p.recipients}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>Vos données sont hébergées dans l’Union européenne et ne sont transférées hors de l’Union européenne à personne. Aucune décision ne vous concernant n’est prise de façon entièrement automatisée.</p>

      <h2>Cookies</h2>
      <p>
        Ce site n’utilise que des cookies strictement nécessaires à son fonctionnement : l’un vous garde connecté, l’autre protège les formulaires contre les envois
        frauduleux. Ils sont exemptés de consentement (loi Informatique et Libertés, article 82) : c’est pourquoi aucun bandeau ne vous le demande. Il n’y a ni mesure
        d’audience, ni publicité, ni cookie d’un autre site.
      </p>

      <h2>Vos droits</h2>
      <p>Vous disposez sur vos données des droits suivants :</p>
      <ul>
        <li>
          <strong>droit d’accès</strong> : savoir quelles données sont traitées et en obtenir une copie ;
        </li>
        <li>
          <strong>droit de rectification</strong> : faire corriger des données inexactes ou incomplètes ;
        </li>
        <li>
          <strong>droit à l’effacement</strong> : faire supprimer vos données, sauf celles que la loi oblige à conserver (les dossiers de vos demandes, pendant leur durée
          de conservation) ;
        </li>
        <li>
          <strong>droit à la limitation</strong> : faire geler l’utilisation de vos données le temps d’une vérification ;
        </li>
        <li>
          <strong>droit d’opposition</strong> : vous opposer, pour des raisons tenant à votre situation particulière, aux traitements fondés sur une mission d’intérêt
          public, sauf motif impérieux ou obligation légale ;
        </li>
        <li>
          <strong>droit à la portabilité</strong> : il ne s’applique pas aux traitements fondés sur une mission d’intérêt public ou une obligation légale ; vous pouvez
          néanmoins télécharger vos données dans un format ouvert depuis votre espace.
        </li>
      </ul>

      <h2>Comment exercer vos droits</h2>
      <ul>
        <li>
          Depuis <a href="/mon-espace">Mon espace</a> : corriger votre profil et votre foyer, télécharger toutes vos données (« Mes données »), demander la suppression
          de votre compte.
        </li>
        <li>En écrivant au délégué à la protection des données, aux coordonnées ci-dessus, en précisant le droit que vous exercez.</li>
      </ul>
      <p>
        La mairie vous répond dans un délai d’un mois, qui peut être prolongé de deux mois si la demande est complexe ; elle vous dit alors pourquoi. En cas de doute
        raisonnable sur votre identité, elle peut vous demander d’en justifier.
      </p>
      <p>
        Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de
        l’informatique et des libertés (CNIL) : <a href="https://www.cnil.fr/fr/plaintes">en ligne sur le site de la CNIL</a>, ou par courrier à CNIL, 3 place de
        Fontenoy, TSA 80715, 75334 Paris CEDEX 07.
      </p>
    </article>
  );
}
