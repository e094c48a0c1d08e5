import type { CasePageModel } from './model.js';
import { CaseAnswers, CaseAttachments, CaseBadges, CaseCitizenBlock, CaseFacts, CaseLocation, CaseTimeline, caseUrl } from './sections.js';

/**
 * The printable case: the same facts, answers, files (listed, without previews), place and
 * timeline as the page, without menu or actions. The print style sheet hides the links bar.
 */
export function CasePrintPage({ model, printedAt, printedBy }: { model: CasePageModel; printedAt: string; printedBy: string }) {
  const { view } = model;
  return (
    <div class="case-print">
      <p class="case-print-tools">
        <a href={caseUrl(view.reference)}>Retour au dossier</a>{' '}
        <button type="button" class="button-secondary" data-print="" hidden>
          Imprimer
        </button>
      </p>
      <h1>
        Dossier {view.reference} — {view.subject}
      </h1>
      <p class="hint">
        Imprimé le {printedAt} par {printedBy}. Document interne : il contient des données personnelles.
      </p>
      <CaseBadges model={model} />
      <CaseFacts model={model} />
      <CaseCitizenBlock model={model} links={false} />
      <CaseAnswers model={model} />
      <CaseAttachments model={model} previews={false} />
      <CaseLocation model={model} map={null} />
      <CaseTimeline model={model} expand />
    </div>
  );
}
