// Form fields of the portal's procedures: conditional fields shown and hidden as the citizen
// answers, address suggestions from the national address base (ARIA 1.2 combobox), and a map to
// place a point, loaded only when asked for. Every form works without this script.
/* global document, window, navigator, fetch, setTimeout, clearTimeout, Event */
(function () {
  'use strict';

  // ---- Conditions: a port of src/procedures/form/conditions.ts (same semantics, plain ES2019). ----
  var OPERATORS = ['eq', 'neq', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'filled', 'empty', 'contains'];
  var MAX_DEPTH = 32;
  var has = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };
  var isRecord = function (value) { return typeof value === 'object' && value !== null && !Array.isArray(value); };

  function isEmptyValue(value) {
    if (value === undefined || value === null) return true;
    if (typeof value === 'string') return value.trim() === '';
    if (Array.isArray(value)) return value.length === 0;
    return false;
  }
  function equals(actual, expected) {
    if (Array.isArray(actual) && Array.isArray(expected)) {
      return actual.length === expected.length && actual.every(function (item) { return expected.indexOf(item) !== -1; });
    }
    return actual === expected;
  }
  function isIn(actual, expected) {
    if (!Array.isArray(expected)) return false;
    if (Array.isArray(actual)) return actual.some(function (item) { return expected.indexOf(item) !== -1; });
    return expected.indexOf(actual) !== -1;
  }
  function compare(actual, expected) {
    if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
    if (typeof actual === 'string' && typeof expected === 'string') return actual < expected ? -1 : actual > expected ? 1 : 0;
    return undefined;
  }
  function contains(actual, expected) {
    if (Array.isArray(actual)) return actual.indexOf(expected) !== -1;
    return typeof actual === 'string' && typeof expected === 'string' && actual.indexOf(expected) !== -1;
  }
  function testOperator(op, actual, expected) {
    var order = function () { return isEmptyValue(actual) ? undefined : compare(actual, expected); };
    var c;
    switch (op) {
      case 'eq': return equals(actual, expected);
      case 'neq': return !equals(actual, expected);
      case 'in': return isIn(actual, expected);
      case 'notIn': return !isIn(actual, expected);
      case 'gt': c = order(); return (c === undefined ? 0 : c) > 0;
      case 'gte': c = order(); return c !== undefined && c >= 0;
      case 'lt': c = order(); return (c === undefined ? 0 : c) < 0;
      case 'lte': c = order(); return c !== undefined && c <= 0;
      case 'filled': return !isEmptyValue(actual);
      case 'empty': return isEmptyValue(actual);
      case 'contains': return contains(actual, expected);
      default: return false;
    }
  }
  function evaluate(condition, values, depth) {
    if (!isRecord(condition) || depth > MAX_DEPTH) return undefined;
    var all = has(condition, 'all') ? condition.all : undefined;
    var any = has(condition, 'any') ? condition.any : undefined;
    if (Array.isArray(all) || Array.isArray(any)) {
      var results = (Array.isArray(all) ? all : any).map(function (item) { return evaluate(item, values, depth + 1); });
      if (results.indexOf(undefined) !== -1) return undefined;
      return Array.isArray(all) ? results.every(Boolean) : results.some(Boolean);
    }
    if (has(condition, 'not')) {
      var inner = evaluate(condition.not, values, depth + 1);
      return inner === undefined ? undefined : !inner;
    }
    var field = has(condition, 'field') ? condition.field : undefined;
    var op = has(condition, 'op') ? condition.op : undefined;
    if (typeof field !== 'string' || OPERATORS.indexOf(op) === -1) return undefined;
    var actual = has(values, field) ? values[field] : undefined;
    return testOperator(op, actual, has(condition, 'value') ? condition.value : undefined);
  }
  function isVisible(condition, values) {
    return condition === undefined || evaluate(condition, values, 0) === true;
  }

  // ---- Reading the current answers of the page, typed as the validator normalises them. ----
  var NUMERIC = /^-?\d{1,20}(?:[.,]\d{1,20})?$/;
  var FRENCH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

  function inputsNamed(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }
  function scalar(form, name) {
    var inputs = inputsNamed(form, name);
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
      var text = String(el.value || '').trim();
      if (text !== '') return text;
    }
    return undefined;
  }
  function checkedList(form, name) {
    return inputsNamed(form, name).filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
  }
  function pad(n) { return (n.length < 2 ? '0' : '') + n; }

  /** The typed value of the field of `wrapper`, or undefined when unanswered (as the validator drops it). */
  function valueOf(form, wrapper) {
    var name = (wrapper.getAttribute('data-scope') || '') + wrapper.getAttribute('data-field');
    var type = wrapper.getAttribute('data-type');
    var text;
    switch (type) {
      case 'checkboxes': { var list = checkedList(form, name); return list.length ? list : undefined; }
      case 'yesno': text = scalar(form, name); return text === 'true' ? true : text === 'false' ? false : undefined;
      case 'number': text = scalar(form, name); return text !== undefined && NUMERIC.test(text) ? Number(text.replace(',', '.')) : undefined;
      case 'date': {
        text = scalar(form, name);
        var m = text ? FRENCH_DATE.exec(text) : null;
        return m ? m[3] + '-' + pad(m[2]) + '-' + pad(m[1]) : text;
      }
      case 'address':
      case 'geolocation': {
        var parts = type === 'address' ? ['line1', 'line2', 'postcode', 'city'] : ['address', 'lat', 'lon'];
        var value = {};
        var filled = false;
        parts.forEach(function (part) { var v = scalar(form, name + '.' + part); if (v !== undefined) { value[part] = v; filled = true; } });
        return filled ? value : undefined;
      }
      case 'file': {
        var ids = inputsNamed(form, name).map(function (el) { return el.value; });
        var chosen = inputsNamed(form, name + '.__fichier').some(function (el) { return el.files && el.files.length > 0; });
        return ids.length || chosen ? ids.concat(chosen ? ['nouveau'] : []) : undefined;
      }
      case 'group': return wrapper.querySelector('.form-group-item') ? [{}] : undefined;
      default: return scalar(form, name);
    }
  }

  function parseJson(text) {
    try { return text ? JSON.parse(text) : undefined; } catch { return undefined; }
  }

  /** Shows or hides every conditional field of `form`, in order, as the server would. */
  function applyConditions(form) {
    var wrappers = form.querySelectorAll('.form-item[data-field]');
    var top = {};
    var scoped = {};
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      var scope = wrapper.getAttribute('data-scope') || '';
      var own = scope ? (scoped[scope] = scoped[scope] || {}) : top;
      var condition = parseJson(wrapper.getAttribute('data-visible-when'));
      var insideHidden = wrapper.parentElement && wrapper.parentElement.closest('.form-item[hidden]');
      var visible = !insideHidden;
      if (visible && condition !== undefined) {
        var values = Object.assign({}, parseJson(wrapper.getAttribute('data-outer-values')) || {}, top, scope ? own : {});
        visible = isVisible(condition, values);
        if (wrapper.hidden === visible) wrapper.hidden = !visible;
      }
      if (visible) {
        var value = valueOf(form, wrapper);
        if (value !== undefined) own[wrapper.getAttribute('data-field')] = value;
      }
    });
  }

  function enhanceConditions(form) {
    if (!form.querySelector('[data-visible-when]')) return;
    var run = function () { applyConditions(form); };
    form.addEventListener('input', run);
    form.addEventListener('change', run);
    run();
  }

  // ---- Address suggestions: ARIA 1.2 combobox with a listbox and a polite live region. ----
  var comboboxCount = 0;

  function enhanceAddress(fieldset) {
    var line1 = fieldset.querySelector('[data-part="line1"] input');
    var postcode = fieldset.querySelector('[data-part="postcode"] input');
    var city = fieldset.querySelector('[data-part="city"] input');
    var banId = fieldset.querySelector('input[data-ban-id]');
    if (!line1 || !postcode || !city) return;
    comboboxCount += 1;
    var listId = 'suggestions-adresse-' + comboboxCount;
    var wrapper = document.createElement('div');
    wrapper.className = 'form-combobox';
    line1.parentNode.insertBefore(wrapper, line1);
    wrapper.appendChild(line1);
    var list = document.createElement('ul');
    list.id = listId;
    list.className = 'form-suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Adresses suggérées');
    list.hidden = true;
    wrapper.appendChild(list);
    var live = document.createElement('p');
    live.className = 'sr-only';
    live.setAttribute('aria-live', 'polite');
    wrapper.appendChild(live);
    var hint = document.getElementById(line1.id + '-hint');
    if (hint) hint.textContent += ' Des suggestions s’affichent pendant la saisie.';
    line1.setAttribute('role', 'combobox');
    line1.setAttribute('aria-autocomplete', 'list');
    line1.setAttribute('aria-expanded', 'false');
    line1.setAttribute('aria-controls', listId);

    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = '';
    var request = 0;

    function close() {
      list.hidden = true;
      line1.setAttribute('aria-expanded', 'false');
      line1.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute('aria-selected', i === index ? 'true' : 'false'); });
      if (index >= 0 && list.children[index]) {
        line1.setAttribute('aria-activedescendant', list.children[index].id);
        if (list.children[index].scrollIntoView) list.children[index].scrollIntoView({ block: 'nearest' });
      } else {
        line1.removeAttribute('aria-activedescendant');
      }
    }
    function choose(index) {
      var item = items[index];
      if (!item) return;
      line1.value = item.line1;
      postcode.value = item.postcode;
      city.value = item.city;
      if (banId) banId.value = item.banId;
      close();
      live.textContent = 'Adresse choisie : ' + item.label + '.';
      line1.dispatchEvent(new Event('change', { bubbles: true }));
    }
    function show(found) {
      items = found;
      list.textContent = '';
      found.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = listId + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.textContent = item.label;
        // mousedown, not click: the input must not lose its value to blur first.
        li.addEventListener('mousedown', function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      active = -1;
      if (found.length > 0) {
        list.hidden = false;
        line1.setAttribute('aria-expanded', 'true');
      } else {
        close();
      }
      live.textContent = found.length === 0 ? 'Aucune adresse suggérée.'
        : found.length === 1 ? '1 adresse suggérée. Flèches haut et bas pour parcourir, Entrée pour choisir.'
          : found.length + ' adresses suggérées. Flèches haut et bas pour parcourir, Entrée pour choisir.';
    }
    function search() {
      var query = line1.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 3) { items = []; list.textContent = ''; close(); return; }
      var mine = ++request;
      fetch('/api/v1/adresses?q=' + encodeURIComponent(query), { headers: { accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (mine === request && document.activeElement === line1) show(Array.isArray(body.items) ? body.items : []); })
        .catch(function () { if (mine === request) close(); });
    }
    line1.addEventListener('input', function () {
      if (banId) banId.value = '';
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    line1.addEventListener('keydown', function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === 'ArrowDown') {
        if (!open && items.length > 0) { list.hidden = false; line1.setAttribute('aria-expanded', 'true'); }
        if (items.length > 0) { event.preventDefault(); highlight(active + 1 >= items.length ? 0 : active + 1); }
      } else if (event.key === 'ArrowUp') {
        if (open) { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      } else if (event.key === 'Enter') {
        // Enter picks the highlighted suggestion instead of submitting the form.
        if (open && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === 'Escape') {
        if (open) { event.preventDefault(); close(); }
      }
    });
    line1.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  // ---- Map: Leaflet and its stylesheet are fetched from /assets/vendor/ only when asked for. ----
  var leafletLoading = null;

  function loadLeaflet() {
    if (window.L) return Promise.resolve(window.L);
    if (leafletLoading) return leafletLoading;
    leafletLoading = new Promise(function (resolve, reject) {
      var css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/assets/vendor/leaflet.css';
      document.head.appendChild(css);
      var script = document.createElement('script');
      script.src = '/assets/vendor/leaflet.js';
      script.onload = function () { resolve(window.L); };
      script.onerror = function () { leafletLoading = null; reject(new Error('leaflet')); };
      document.head.appendChild(script);
    });
    return leafletLoading;
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }
  function frenchCoordinate(value) { return String(round(value)).replace('.', ','); }

  function enhanceMap(fieldset) {
    var box = fieldset.querySelector('[data-map]');
    var lat = fieldset.querySelector('input[data-geo="lat"]');
    var lon = fieldset.querySelector('input[data-geo="lon"]');
    var status = fieldset.querySelector('[data-map-status]');
    if (!box || !lat || !lon) return;
    var open = box.querySelector('[data-map-open]');
    var locate = box.querySelector('[data-map-locate]');
    var clear = box.querySelector('[data-map-clear]');
    var canvas = box.querySelector('[data-map-canvas]');
    var map = null;
    var marker = null;
    box.hidden = false;
    var placeInput = fieldset.querySelector('input[name$=".address"]');
    var placeHint = placeInput && document.getElementById(placeInput.id + '-hint');
    if (placeHint) placeHint.textContent += ' Vous pouvez aussi situer le lieu sur une carte.';
    // The device's position needs no map: it fills the hidden coordinates directly.
    if (navigator.geolocation) locate.hidden = false;

    function say(text) { if (status) status.textContent = text; }
    function place(latitude, longitude, how) {
      lat.value = String(round(latitude));
      lon.value = String(round(longitude));
      clear.hidden = false;
      if (map) {
        if (marker) marker.setLatLng([latitude, longitude]);
        else {
          // A CSS marker: Leaflet's default icon would fetch images the portal does not serve.
          var icon = window.L.divIcon({ className: 'form-map-marker', iconSize: [24, 24], iconAnchor: [12, 24] });
          marker = window.L.marker([latitude, longitude], { icon: icon, draggable: true, keyboard: false, title: 'Point choisi' }).addTo(map);
          marker.on('dragend', function () { var p = marker.getLatLng(); place(p.lat, p.lng, 'déplacé'); });
        }
      }
      say('Point ' + how + ' : latitude ' + frenchCoordinate(latitude) + ', longitude ' + frenchCoordinate(longitude) + '.');
      lat.dispatchEvent(new Event('change', { bubbles: true }));
    }
    function start() {
      say('Chargement de la carte…');
      return loadLeaflet().then(function (L) {
        canvas.hidden = false;
        var hasPoint = lat.value !== '' && lon.value !== '';
        var center = hasPoint ? [Number(lat.value), Number(lon.value)] : [46.6, 2.4];
        map = L.map(canvas, { keyboard: true }).setView(center, hasPoint ? 17 : 6);
        L.tileLayer(box.getAttribute('data-tile-url'), { attribution: box.getAttribute('data-attribution') || '', maxZoom: 19 }).addTo(map);
        map.on('click', function (event) { place(event.latlng.lat, event.latlng.lng, 'placé'); });
        // Keyboard: Leaflet pans with the arrows and zooms with + and -; Enter places the point at the centre (the cross).
        canvas.setAttribute('role', 'application');
        canvas.setAttribute('aria-label', 'Carte : flèches pour se déplacer, + et - pour zoomer, Entrée pour placer le point au centre');
        canvas.addEventListener('keydown', function (event) {
          if (event.target !== canvas || (event.key !== 'Enter' && event.key !== ' ')) return;
          event.preventDefault();
          var c = map.getCenter();
          place(c.lat, c.lng, 'placé au centre de la carte');
        });
        if (hasPoint) place(center[0], center[1], 'placé');
        else say('Carte affichée : cliquez sur la carte pour placer le point, ou décrivez le lieu dans le champ ci-dessus.');
      }, function () {
        say('La carte n’a pas pu être chargée. Décrivez le lieu dans le champ ci-dessus.');
      });
    }
    open.addEventListener('click', function () {
      if (map) {
        canvas.hidden = !canvas.hidden;
        open.setAttribute('aria-expanded', canvas.hidden ? 'false' : 'true');
        if (!canvas.hidden) map.invalidateSize();
        return;
      }
      open.setAttribute('aria-expanded', 'true');
      start();
    });
    locate.addEventListener('click', function () {
      say('Recherche de votre position…');
      navigator.geolocation.getCurrentPosition(function (position) {
        place(position.coords.latitude, position.coords.longitude, 'placé à votre position');
        if (map) map.setView([position.coords.latitude, position.coords.longitude], 17);
      }, function () {
        say('Votre position n’a pas pu être obtenue. Placez le point sur la carte ou décrivez le lieu.');
      }, { timeout: 10000 });
    });
    clear.addEventListener('click', function () {
      lat.value = '';
      lon.value = '';
      if (marker && map) { map.removeLayer(marker); marker = null; }
      clear.hidden = true;
      say('Point retiré.');
      lat.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }

  // ---- Long texts: how many characters are left, said politely once the citizen pauses. ----
  function enhanceCount(textarea) {
    var max = Number(textarea.getAttribute('maxlength'));
    if (!max) return;
    var visible = document.createElement('p');
    visible.className = 'hint form-count';
    visible.setAttribute('aria-hidden', 'true');
    var spoken = document.createElement('p');
    spoken.className = 'sr-only';
    spoken.setAttribute('aria-live', 'polite');
    textarea.parentNode.insertBefore(visible, textarea.nextSibling);
    textarea.parentNode.insertBefore(spoken, visible.nextSibling);
    var timer = null;
    function text() {
      var left = max - textarea.value.length;
      return left > 1 ? 'Il vous reste ' + left.toLocaleString('fr-FR') + ' caractères.' : left === 1 ? 'Il vous reste 1 caractère.' : 'Vous avez atteint le nombre maximal de caractères.';
    }
    function update() {
      visible.textContent = text();
      clearTimeout(timer);
      timer = setTimeout(function () { spoken.textContent = text(); }, 1000);
    }
    visible.textContent = text();
    textarea.addEventListener('input', update);
  }

  Array.prototype.forEach.call(document.querySelectorAll('textarea.form-textarea[maxlength]'), enhanceCount);
  Array.prototype.forEach.call(document.querySelectorAll('form'), enhanceConditions);
  Array.prototype.forEach.call(document.querySelectorAll('fieldset[data-address-complete]'), enhanceAddress);
  Array.prototype.forEach.call(document.querySelectorAll('fieldset.form-geolocation'), enhanceMap);
})();
