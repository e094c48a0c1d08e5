import { CaseActionsPanel, type CaseActionsData } from '../actions/panel.js';
import { ReplyPanel, type ReplyPanelData } from '../reply/panel.js';
import type { CasePageModel } from './model.js';
import { CaseAnswers, CaseAttachments, CaseBadges, CaseCitizenBlock, CaseFacts, CaseLocation, CaseTimeline, caseUrl } from './sections.js';

export interface CasePageProps {
  model: CasePageModel;
  actions: CaseActionsData;
  reply: ReplyPanelData;
  map: { tileUrl: string; attribution: string } | null;
  /** The inbox list the agent came from (its query string), to go back to it and on to the next case. */
  list: { query: string; next: string | null } | null;
}

/** The shortcuts of the page, as `case.client.js` implements them. */
export const SHORTCUTS = [
  { key: 'n', label: 'Dossier suivant de la liste (lien « Dossier suivant »)' },
  { key: 'a', label: 'Me l’attribuer (bouton « Prendre le dossier »)' },
  { key: 'r', label: 'Aller à la réponse à l’usager' },
  { key: '?', label: 'Aller à cette liste des raccourcis' },
];

/**
 * The agents' case page: where it stands, who asks, what they asked, files, place, everything
 * that happened, and the panels to act on it and to answer.
 */
export function CasePage({ model, actions, reply, map, list }: CasePageProps) {
  const { view } = model;
  const withList = (reference: string) => (list ? `${caseUrl(reference)}?liste=${encodeURIComponent(list.query)}` : caseUrl(reference));
  return (
    <div class="case-page" data-case-reference={view.reference} data-case-version={String(view.version)}>
      <nav aria-label="Navigation entre dossiers" class="case-nav">
        <ul>
          <li>
            <a href={list ? `/backoffice/dossiers?${list.query}` : '/backoffice/dossiers'}>Retour à la liste des dossiers</a>
          </li>
          {list?.next ? (
            <li>
              <a href={withList(list.next)} data-shortcut="n" rel="next">
                Dossier suivant<span class="visually-hidden"> : {list.next}</span>
              </a>
            </li>
          ) : null}
          <li>
            <a href={`${caseUrl(view.reference)}/impression`}>Version imprimable</a>
          </li>
          <li>
            <a href={`${caseUrl(view.reference)}/export.pdf`}>Exporter en PDF</a>
          </li>
        </ul>
      </nav>
      <h1>
        Dossier {view.reference} — {view.subject}
      </h1>
      <CaseBadges model={model} />
      <div class="case-layout">
        <div class="case-main">
          <CaseFacts model={model} />
          <CaseCitizenBlock model={model} />
          <CaseAnswers model={model} />
          <CaseAttachments model={model} />
          <CaseLocation model={model} map={map} />
          <CaseTimeline model={model} />
        </div>
        <div class="case-side">
          <CaseActionsPanel data={actions} />
          <ReplyPanel data={reply} />
          <Shortcuts />
        </div>
      </div>
    </div>
  );
}

/** The keyboard shortcuts, always written on the page; `?` moves focus here. */
function Shortcuts() {
  return (
    <section aria-labelledby="case-shortcuts-title" class="case-section case-shortcuts" id="raccourcis" tabIndex={-1}>
      <h2 id="case-shortcuts-title">Raccourcis clavier</h2>
      <p class="hint">Hors d’un champ de saisie, avec JavaScript activé :</p>
      <dl>
        {SHORTCUTS.map((s) => (
          <div>
            <dt>
              <kbd>{s.key}</kbd>
            </dt>
            <dd>{s.label}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
