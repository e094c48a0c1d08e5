/**
 * The demo commune's legal content: a fictional publisher, host and DPO, and a partial audit, so
 * the legal pages show what a town that filled everything in looks like. Names and addresses are
 * invented; the departments and numbers follow the rest of the demo.
 */
import type { Executor } from '../db/transaction.js';
import type { LegalSettings } from '../portal/legal/content.js';
import { legalRepository } from '../portal/legal/repository.js';

export const DEMO_LEGAL: LegalSettings = {
  accessibilityStatus: 'partiellement',
  accessibility: {
    statementDate: '2026-01-15',
    auditDate: '2025-12-10',
    auditor: 'Accessibilité Loire Conseil (société fictive)',
    complianceRate: 82.5,
    tools: ['Colour Contrast Analyser', 'axe DevTools', 'Nu Html Checker', 'HeadingsMap'],
    environment: ['NVDA 2025.3 avec Firefox', 'JAWS 2025 avec Chrome', 'VoiceOver avec Safari sur iOS 18', 'TalkBack avec Chrome sur Android 15'],
    pagesAudited: [
      'Accueil',
      'Recherche',
      'Demande d’acte de naissance (page et formulaire)',
      'Signalement sur la voirie (formulaire avec carte)',
      'Suivi d’une demande',
      'Connexion et création de compte',
      'Mon espace',
      'Déclaration d’accessibilité',
    ],
    nonCompliance: [
      'La carte du formulaire de signalement ne peut pas être utilisée au clavier seul ; l’adresse saisie à la main reste toujours possible (critère 7.3).',
      'Certains documents PDF joints aux réponses des services ne sont pas balisés (critère 13.3).',
    ],
    disproportionateBurden: [],
    outOfScope: ['Les fonds de carte fournis par OpenStreetMap.', 'Les documents bureautiques publiés avant le 23 septembre 2018.'],
    multiYearPlanUrl: 'https://www.ville-de-demo.fr/accessibilite/schema-pluriannuel',
    contact: { name: 'Mission accessibilité, Ville de Démo', email: 'accessibilite@ville-de-demo.fr', phone: '+33261910000', address: 'Place de la Mairie, 99100 Démo-sur-Loire' },
  },
  publisher: {
    name: 'Ville de Démo',
    address: 'Place de la Mairie, 99100 Démo-sur-Loire',
    email: 'contact@ville-de-demo.fr',
    phone: '+33261910000',
    siren: '999999999',
    director: 'Mme Hélène Marchal, maire de Démo-sur-Loire',
  },
  host: { name: 'Loire Numérique Hébergement (société fictive)', address: '12 rue des Serveurs, 99200 Nuage-sur-Loire', phone: '+33261920000', url: 'https://www.loire-numerique.example' },
  dpo: { name: 'M. Paul Giraud, délégué à la protection des données', email: 'dpo@ville-de-demo.fr', address: 'Mairie de Démo, DPO, Place de la Mairie, 99100 Démo-sur-Loire' },
};

/** Writes the demo's legal content on its organisation. */
export async function seedDemoLegal(db: Executor, organisationId: number): Promise<void> {
  await legalRepository.save(db, organisationId, DEMO_LEGAL);
}
