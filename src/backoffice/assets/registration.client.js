// « Nouvelle demande »: search citizens as the agent types, through the citizens module's fragment
// (radios `citizenId`). Without this script « Rechercher » re-renders the page with the same hits.
/* global document, window, fetch */
(function () {
  'use strict';
  var input = document.querySelector('[data-citizen-search]');
  if (!input) return;
  var form = input.form;
  var results = document.getElementById('resultats-usagers');
  var button = form && form.querySelector('button[name="_action"][value="rechercher"]');
  var timer = null;
  var last = '';

  function chooseExisting() {
    var existing = form.querySelector('input[name="usager"][value="existant"]');
    if (existing) existing.checked = true;
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2 || q === last || !results) return;
    last = q;
    var url = input.getAttribute('data-citizen-search') + '&q=' + encodeURIComponent(q);
    fetch(url, { credentials: 'same-origin', headers: { 'hx-request': 'true' } })
      .then(function (response) {
        var type = response.headers.get('content-type') || '';
        if (!response.ok || type.indexOf('text/html') !== 0) return null;
        return response.text();
      })
      .then(function (html) {
        // A missing or failing fragment leaves the page as it is: « Rechercher » still works.
        if (html === null || q !== input.value.trim()) return;
        results.innerHTML = html;
      })
      .catch(function () {});
  }

  input.addEventListener('input', function () {
    chooseExisting();
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 300);
  });
  // Enter in the search box searches, rather than sending the whole form.
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && button) {
      event.preventDefault();
      button.click();
    }
  });
  if (results) {
    results.addEventListener('change', function (event) {
      if (event.target && event.target.name === 'citizenId') chooseExisting();
    });
  }
})();
