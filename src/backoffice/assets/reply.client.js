// Reply box: giving a due date means asking for missing information, so the box gets ticked.
/* global document */
document.addEventListener('change', (event) => {
  const target = event.target;
  if (!target || target.id !== 'reply-dueOn' || !target.value) return;
  const ask = document.getElementById('reply-ask');
  if (ask) ask.checked = true;
});
