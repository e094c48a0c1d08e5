// Accounts: a « Afficher / Masquer » button beside password fields. Without this script the
// fields simply stay masked.
/* global document */
(function () {
  'use strict';
  var fields = document.querySelectorAll('input[data-password-reveal]');
  Array.prototype.forEach.call(fields, function (input) {
    var wrapper = document.createElement('div');
    wrapper.className = 'password-wrapper';
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'password-reveal';
    button.setAttribute('aria-controls', input.id);
    button.textContent = 'Afficher';
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) button.setAttribute('aria-label', 'Afficher le mot de passe : ' + label.textContent);
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = show ? 'Masquer' : 'Afficher';
      if (label) button.setAttribute('aria-label', (show ? 'Masquer' : 'Afficher') + ' le mot de passe : ' + label.textContent);
    });
    wrapper.appendChild(button);
    // A password shown on screen must not stay so when the form leaves (shared screens).
    if (input.form) input.form.addEventListener('submit', function () { input.type = 'password'; });
  });
})();
