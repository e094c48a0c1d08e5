// Guichet's service worker, served at /sw.js so its scope is the whole portal.
// Assets: cache first. Pages: network first, a copy of public pages kept for offline reading,
// and the offline page when nothing else can be shown. Signed-in pages (private or no-store)
// and anything but GET are never cached. The version changes with every release of the assets.
/* global self, caches, fetch, Request, URL */
'use strict';

var VERSION = '__CACHE_VERSION__';
var PREFIX = 'guichet-';
var ASSETS = PREFIX + 'assets-' + VERSION;
var PAGES = PREFIX + 'pages-' + VERSION;
var OFFLINE = '/hors-ligne';
// The offline page is fetched without cookies: it must show the signed-out header to whoever opens it.
var PRECACHE = [new Request(OFFLINE, { credentials: 'omit' }), '/assets/guichet.css', '/assets/portal.css', '/assets/portal.js'];
/** Pages that belong to one person: never kept, whatever their headers say. */
var PRIVATE = /^\/(mon-espace|mon-compte|mes-demandes|mes-brouillons|demandes|suivi|inscription|connexion|mot-de-passe|franceconnect|deconnexion|dev)(\/|$)/;

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches
      .open(ASSETS)
      .then(function (cache) {
        return cache.addAll(PRECACHE);
      })
      .then(function () {
        return self.skipWaiting();
      }),
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf(PREFIX) === 0 && key !== ASSETS && key !== PAGES;
            })
            .map(function (key) {
              return caches.delete(key);
            }),
        );
      })
      .then(function () {
        return self.clients.claim();
      }),
  );
});

function storable(response) {
  if (!response || !response.ok || response.type !== 'basic') return false;
  var cacheControl = response.headers.get('cache-control') || '';
  return !/no-store|private/i.test(cacheControl);
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (storable(response)) {
        var copy = response.clone();
        caches.open(ASSETS).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    });
  });
}

function networkFirst(request, url) {
  return fetch(request)
    .then(function (response) {
      if (storable(response) && !PRIVATE.test(url.pathname)) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    })
    .catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || caches.match(OFFLINE);
      });
    });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/assets/') === 0) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, url));
  }
});
