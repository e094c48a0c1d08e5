// Case actions: after a refused action, move focus to the conflict message or the error summary so
// keyboard and screen reader users land on it (the page works the same without this script).
/* global document, HTMLElement */
document.addEventListener('DOMContentLoaded', () => {
  const refusal = document.querySelector('#conflit, .error-summary');
  if (refusal instanceof HTMLElement) refusal.focus();
});
