import { describeDevice } from '../device.js';
import { Csrf } from './fields.js';

export interface SessionRow {
  id: string;
  method: 'password' | 'franceconnect';
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_seen_at: string;
}

const METHODS = { password: 'mot de passe', franceconnect: 'FranceConnect' } as const;

/** The citizen's open sessions, this device first marked, each with a button that ends it. */
export function SessionsPage({ csrf, sessions, currentId, timezone, notice }: { csrf: string; sessions: SessionRow[]; currentId: string; timezone: string; notice: string | null }) {
  const format = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: timezone });
  const others = sessions.filter((s) => s.id !== currentId);
  const ordered = [...sessions.filter((s) => s.id === currentId), ...others];
  return (
    <div class="account-page">
      <h1>Mes connexions</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p>Voici les appareils connectés à votre compte. Si vous n’en reconnaissez pas un, mettez fin à sa connexion et changez votre mot de passe.</p>
      <ul class="session-list">
        {ordered.map((s) => {
          const current = s.id === currentId;
          return (
            <li class={current ? 'session current' : 'session'}>
              <h2>
                {describeDevice(s.user_agent)}
                {current ? <span class="tag"> (cet appareil)</span> : null}
              </h2>
              <dl>
                <dt>Adresse IP</dt>
                <dd>{s.ip ?? 'inconnue'}</dd>
                <dt>Connexion</dt>
                <dd>
                  le <time dateTime={s.created_at}>{format.format(new Date(s.created_at))}</time>, par {METHODS[s.method] ?? s.method}
                </dd>
                <dt>Dernière activité</dt>
                <dd>
                  <time dateTime={s.last_seen_at}>{format.format(new Date(s.last_seen_at))}</time>
                </dd>
              </dl>
              {current ? (
                <p>Pour mettre fin à cette connexion, utilisez « Se déconnecter ».</p>
              ) : (
                <form method="post" action={`/mon-compte/connexions/${encodeURIComponent(s.id)}/revoquer`}>
                  <Csrf value={csrf} />
                  <button type="submit" class="secondary">
                    Déconnecter cet appareil<span class="sr-only"> ({describeDevice(s.user_agent)}, dernière activité le {format.format(new Date(s.last_seen_at))})</span>
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      {others.length > 0 ? (
        <form method="post" action="/mon-compte/connexions/revoquer-autres">
          <Csrf value={csrf} />
          <button type="submit">Déconnecter tous les autres appareils</button>
        </form>
      ) : (
        <p>Aucun autre appareil n’est connecté.</p>
      )}
      <p>
        <a href="/mon-compte/mot-de-passe">Modifier mon mot de passe</a>
      </p>
    </div>
  );
}
