// Case page: the map of a located case, the print button and the triage shortcuts (n, a, r, ?).
// Everything here only enhances links and forms the page already has without JavaScript.
/* global document, window */
(function () {
  // ---- Map: Leaflet and its style sheet are fetched from /assets/vendor/ only on a located case. ----
  function loadLeaflet() {
    if (window.L) return Promise.resolve(window.L);
    return new Promise(function (resolve, reject) {
      var css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/assets/vendor/leaflet.css';
      document.head.appendChild(css);
      var script = document.createElement('script');
      script.src = '/assets/vendor/leaflet.js';
      script.onload = function () { resolve(window.L); };
      script.onerror = function () { reject(new Error('leaflet')); };
      document.head.appendChild(script);
    });
  }

  function showMap(box) {
    var lat = Number(box.getAttribute('data-lat'));
    var lon = Number(box.getAttribute('data-lon'));
    if (!isFinite(lat) || !isFinite(lon)) return;
    loadLeaflet().then(function (L) {
      box.hidden = false;
      var map = L.map(box, { keyboard: true, scrollWheelZoom: false }).setView([lat, lon], 17);
      L.tileLayer(box.getAttribute('data-tile-url'), { attribution: box.getAttribute('data-attribution') || '', maxZoom: 19 }).addTo(map);
      // A CSS marker: Leaflet's default icon would fetch images the application does not serve.
      var icon = L.divIcon({ className: 'case-map-marker', iconSize: [24, 24], iconAnchor: [12, 24] });
      L.marker([lat, lon], { icon: icon, keyboard: false, title: 'Lieu de la demande' }).addTo(map);
      var zoomIn = box.querySelector('.leaflet-control-zoom-in');
      var zoomOut = box.querySelector('.leaflet-control-zoom-out');
      if (zoomIn) { zoomIn.setAttribute('aria-label', 'Zoomer'); zoomIn.title = 'Zoomer'; }
      if (zoomOut) { zoomOut.setAttribute('aria-label', 'Dézoomer'); zoomOut.title = 'Dézoomer'; }
    }, function () {
      // No map: the address and coordinates written above remain.
      box.hidden = true;
    });
  }

  // ---- Shortcuts: never while typing, never with a modifier (browser and screen reader keys). ----
  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' || target.isContentEditable;
  }

  function say(text) {
    var status = document.getElementById('case-shortcut-status');
    if (!status) {
      status = document.createElement('p');
      status.id = 'case-shortcut-status';
      status.className = 'visually-hidden';
      status.setAttribute('role', 'status');
      document.body.appendChild(status);
    }
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function focusReply() {
    var box = document.getElementById('reponse');
    if (!box) { say('Pas de zone de réponse sur cette page.'); return; }
    // The text of the answer first; else the box's first field.
    var field = /^(TEXTAREA|INPUT|SELECT)$/.test(box.tagName) ? box : box.querySelector('textarea:not([disabled])') || box.querySelector('input:not([type=hidden]):not([disabled]), select:not([disabled])');
    var target = field || box;
    if (!field && !box.hasAttribute('tabindex')) box.setAttribute('tabindex', '-1');
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: 'center' });
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === 'n') {
      var next = document.querySelector('a[data-shortcut="n"]');
      if (next) { event.preventDefault(); window.location.assign(next.href); } else say('Pas de dossier suivant : ouvrez le dossier depuis la liste.');
    } else if (event.key === 'a') {
      var take = document.querySelector('form[data-shortcut="a"]');
      if (take) {
        event.preventDefault();
        if (take.requestSubmit) take.requestSubmit(); else take.submit();
      } else say('Ce dossier ne peut pas vous être attribué d’ici.');
    } else if (event.key === 'r') {
      event.preventDefault();
      focusReply();
    } else if (event.key === '?') {
      var help = document.getElementById('raccourcis');
      if (help) { event.preventDefault(); help.focus(); if (help.scrollIntoView) help.scrollIntoView({ block: 'center' }); }
    }
  }

  function start() {
    var maps = document.querySelectorAll('[data-case-map]');
    for (var i = 0; i < maps.length; i += 1) showMap(maps[i]);
    var print = document.querySelector('[data-print]');
    if (print) {
      print.hidden = false;
      print.addEventListener('click', function () { window.print(); });
    }
    if (document.querySelector('.case-page')) document.addEventListener('keydown', onKey);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
