// Screen pops: the agent's telephone calls arrive by server-sent events in the live region every
// back-office page carries; each pop is replaced when its call changes (answered, ended) and taken
// away when another extension answered. Without script, the « Appels » page lists the same calls.
/* global document, window, EventSource */
(() => {
  const region = document.querySelector('[data-call-events]');
  if (!region || typeof EventSource === 'undefined') return;
  const source = new EventSource(region.dataset.callEvents);
  const popOf = (id) => region.querySelector(`[data-call="${id}"]`);
  source.addEventListener('call', (event) => {
    const { id, html } = JSON.parse(event.data);
    const template = document.createElement('template');
    template.innerHTML = html;
    const pop = template.content.firstElementChild;
    if (!pop) return;
    const close = pop.querySelector('[data-call-close]');
    if (close) {
      close.hidden = false;
      close.addEventListener('click', () => pop.remove());
    }
    const current = popOf(id);
    if (current) current.replaceWith(pop);
    else region.prepend(pop);
  });
  source.addEventListener('call-removed', (event) => {
    const { id } = JSON.parse(event.data);
    popOf(id)?.remove();
  });
  window.addEventListener('pagehide', () => source.close());
})();
