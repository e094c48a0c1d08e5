// Installable app: registers the service worker (offline page, cached assets). Nothing else depends on it.
/* global window, navigator */
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  window.addEventListener('load', function () {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
      // Without a service worker the portal works exactly the same, only not offline.
    });
  });
})();
