// Inbox: keyboard triage (j/k move, Entrée opens, x ticks, ? shows the shortcuts) and live updates
// (new cases of the list arrive by server-sent events, announced in a polite live region). The page
// works as is without this script.
/* global document, window, EventSource */
(() => {
  const table = document.querySelector('[data-inbox-list]');
  const live = document.querySelector('[data-inbox-events]');
  if (!table && !live) return;

  const rows = () => [...document.querySelectorAll('[data-inbox-list] tbody tr')];
  let current = -1;

  const focusRow = (index) => {
    const list = rows();
    if (list.length === 0) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    for (const row of list) row.classList.remove('inbox-row-current');
    const row = list[current];
    row.classList.add('inbox-row-current');
    const link = row.querySelector('.inbox-reference a');
    if (link) link.focus();
  };

  const typing = (target) => target instanceof window.HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName) && target.type !== 'checkbox');

  document.addEventListener('keydown', (event) => {
    if (!table || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const fromRow = event.target instanceof window.HTMLElement ? event.target.closest('[data-inbox-list] tbody tr') : null;
    if (fromRow) current = rows().indexOf(fromRow);
    if (event.key === 'j') {
      event.preventDefault();
      focusRow(current + 1);
    } else if (event.key === 'k') {
      event.preventDefault();
      focusRow(current - 1);
    } else if (event.key === 'x' && current >= 0) {
      event.preventDefault();
      const box = rows()[current]?.querySelector('input[type=checkbox]');
      if (box) box.checked = !box.checked;
    } else if (event.key === 'Enter' && fromRow && event.target.type === 'checkbox') {
      event.preventDefault();
      window.location.assign(fromRow.dataset.caseHref);
    } else if (event.key === '?') {
      const help = document.querySelector('.inbox-shortcuts');
      if (help) {
        event.preventDefault();
        help.open = true;
        help.querySelector('summary').focus();
      }
    }
  });

  if (!live || typeof EventSource === 'undefined') return;
  let arrived = 0;
  const source = new EventSource(live.dataset.inboxEvents);
  source.addEventListener('cases', (event) => {
    const { count, rows: html } = JSON.parse(event.data);
    const body = document.querySelector('[data-inbox-list] tbody');
    arrived += count;
    if (body) {
      const template = document.createElement('template');
      template.innerHTML = html.join('');
      for (const row of [...template.content.querySelectorAll('tr')].reverse()) {
        row.classList.add('inbox-row-new');
        body.prepend(row);
      }
      if (current >= 0) current += count;
      live.textContent = arrived > 1 ? `${arrived} nouveaux dossiers en tête de liste` : '1 nouveau dossier en tête de liste';
    } else {
      // An empty list has no table to insert into: offer to reload it.
      live.innerHTML = '';
      const link = document.createElement('a');
      link.href = window.location.href;
      link.textContent = arrived > 1 ? `${arrived} nouveaux dossiers : actualiser la liste` : '1 nouveau dossier : actualiser la liste';
      live.append(link);
    }
  });
  window.addEventListener('pagehide', () => source.close());
})();
