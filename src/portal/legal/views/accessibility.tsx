import { ACCESSIBILITY_LABEL } from '../../page.js';
import { frenchDate, type LegalContent } from '../content.js';
import { ContactLines } from './contact.js';

const RGAA = 'référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1';

/** Déclaration d'accessibilité, following the RGAA 4.1 model statement. */
export function AccessibilityPage({ content, siteUrl }: { content: LegalContent; siteUrl: string }) {
  const a = content.accessibility;
  const town = content.town.name;
  return (
    <article class="legal">
      <h1>Déclaration d’accessibilité</h1>
      <p>
        {town} s’engage à rendre ses sites internet, intranet, extranet et ses progiciels accessibles conformément à l’article 47 de la loi n° 2005-102 du 11 février
        2005 pour l’égalité des droits et des chances, la participation et la citoyenneté des personnes handicapées.
      </p>
      {a.multiYearPlanUrl ? (
        <p>
          À cette fin, elle met en œuvre la stratégie et les actions décrites dans son <a href={a.multiYearPlanUrl}>schéma pluriannuel de mise en accessibilité</a>.
        </p>
      ) : null}
      <p>
        Cette déclaration d’accessibilité s’applique au service en ligne de démarches de {town}, à l’adresse <a href={siteUrl}>{siteUrl}</a>.
      </p>

      <h2>État de conformité</h2>
      <p>
        Le service en ligne de démarches de {town} est <strong>{ACCESSIBILITY_LABEL[a.status]}</strong> avec le {RGAA}
        {a.status === 'non'
          ? a.auditDate
            ? ', en raison des non-conformités énumérées ci-dessous.'
            : ' : aucun audit de conformité n’a encore été réalisé, il ne peut donc pas être déclaré conforme.'
          : a.status === 'partiellement'
            ? ', en raison des non-conformités et des dérogations énumérées ci-dessous.'
            : '.'}
      </p>

      <h3>Résultats des tests</h3>
      {a.auditDate ? (
        <p>
          L’audit de conformité réalisé {a.auditor ? `par ${a.auditor} ` : ''}le {frenchDate(a.auditDate)}
          {a.complianceRate !== null ? ` révèle que ${formatRate(a.complianceRate)} % des critères du RGAA version 4.1 sont respectés.` : ' est résumé ci-dessous.'}
        </p>
      ) : (
        <p>
          Aucun audit de conformité au RGAA n’a encore été réalisé. Le service a été conçu et vérifié pour respecter les règles d’accessibilité (WCAG 2.1 niveau AA) à
          l’aide d’outils automatiques ; ces vérifications ne remplacent pas un audit, qui sera publié ici.
        </p>
      )}

      <h2>Contenus non accessibles</h2>
      <NonAccessible title="Non-conformités" items={a.nonCompliance} none="Aucune non-conformité n’a été relevée à ce jour." pending={!a.auditDate} />
      <NonAccessible title="Dérogations pour charge disproportionnée" items={a.disproportionateBurden} none="Aucune dérogation n’est invoquée." />
      <NonAccessible
        title="Contenus non soumis à l’obligation d’accessibilité"
        items={a.outOfScope}
        none="Aucun. Les documents que vous déposez vous-même (pièces jointes) restent sous votre responsabilité."
      />

      <h2>Établissement de cette déclaration d’accessibilité</h2>
      <p>{a.statementDate ? `Cette déclaration a été établie le ${frenchDate(a.statementDate)}.` : 'Cette déclaration sera datée lors de son établissement à l’issue du premier audit.'}</p>
      <h3>Technologies utilisées pour la réalisation du service</h3>
      <ul>
        <li>HTML5</li>
        <li>CSS</li>
        <li>JavaScript, en amélioration progressive : toutes les démarches fonctionnent sans JavaScript</li>
        <li>SVG</li>
      </ul>
      <h3>Environnement de test</h3>
      {a.environment.length > 0 ? (
        <ul>
          {a.environment.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      ) : (
        <p>Les vérifications automatiques sont faites avec le navigateur Chromium, avec et sans JavaScript, et sur un écran de 320 pixels de large.</p>
      )}
      <h3>Outils pour évaluer l’accessibilité</h3>
      <ul>
        {(a.tools.length > 0 ? a.tools : ['axe-core (règles WCAG 2.0 et 2.1, niveaux A et AA)', 'Nu Html Checker (validation du code HTML)']).map((t) => (
          <li>{t}</li>
        ))}
      </ul>
      <h3>Pages du site ayant fait l’objet de la vérification de conformité</h3>
      {a.pagesAudited.length > 0 ? (
        <ul>
          {a.pagesAudited.map((p) => (
            <li>{p}</li>
          ))}
        </ul>
      ) : (
        <p>
          Toutes les pages du service sont vérifiées automatiquement à chaque version du logiciel : accueil, recherche, pages des démarches et leurs formulaires (y compris
          en erreur), suivi d’une demande, connexion et création de compte, espace personnel, pages légales et <a href="/plan-du-site">plan du site</a>.
        </p>
      )}

      <h2>Retour d’information et contact</h2>
      <p>
        Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le responsable du service en ligne pour être orienté vers une alternative
        accessible ou obtenir le contenu sous une autre forme :
      </p>
      <ContactLines contact={a.contact} />

      <h2>Voies de recours</h2>
      <p>
        Cette procédure est à utiliser dans le cas suivant : vous avez signalé au responsable du service en ligne un défaut d’accessibilité qui vous empêche d’accéder à
        un contenu ou à un des services, et vous n’avez pas obtenu de réponse satisfaisante.
      </p>
      <p>Vous pouvez :</p>
      <ul>
        <li>
          écrire un message au Défenseur des droits, avec le <a href="https://formulaire.defenseurdesdroits.fr/">formulaire en ligne du Défenseur des droits</a> ;
        </li>
        <li>
          contacter <a href="https://www.defenseurdesdroits.fr/carte-des-delegues">le délégué du Défenseur des droits dans votre région</a> ;
        </li>
        <li>
          envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) à l’adresse : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.
        </li>
      </ul>
    </article>
  );
}

function NonAccessible({ title, items, none, pending = false }: { title: string; items: string[]; none: string; pending?: boolean }) {
  return (
    <>
      <h3>{title}</h3>
      {items.length > 0 ? (
        <ul>
          {items.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      ) : (
        <p>{pending ? 'Elles seront énumérées ici à l’issue du premier audit.' : none}</p>
      )}
    </>
  );
}

const formatRate = (rate: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(rate);
