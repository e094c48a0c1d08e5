/**
 * The FranceConnect button, as FranceConnect's integration guide describes it: the button, then a
 * link explaining the service (opening in a new window, announced as such).
 */
export function FranceConnectButton({ returnTo }: { returnTo: string }) {
  return (
    <div class="franceconnect">
      <form method="get" action="/franceconnect/connexion">
        <input type="hidden" name="retour" value={returnTo} />
        <button type="submit" class="franceconnect-button">
          <span class="franceconnect-login">S’identifier avec</span> <span class="franceconnect-brand">FranceConnect</span>
        </button>
      </form>
      <p>
        <a href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect ? — nouvelle fenêtre">
          Qu’est-ce que FranceConnect ?
        </a>
      </p>
    </div>
  );
}
