import type { MentionRow } from './repository.js';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatDateTime(iso: string, timezone: string): string {
  let f = formatters.get(timezone);
  if (!f) formatters.set(timezone, (f = new Intl.DateTimeFormat('fr-FR', { timeZone: timezone, dateStyle: 'short', timeStyle: 'short' })));
  return f.format(new Date(iso));
}

/** The list of « Mes mentions »: who mentioned the agent, on which case, with the note's beginning. */
export function MentionsPage({ mentions, all, timezone }: { mentions: MentionRow[]; all: boolean; timezone: string }) {
  return (
    <>
      <h1>Mes mentions</h1>
      <p>
        {all ? (
          <a href="/backoffice/mentions">Afficher seulement les mentions non lues</a>
        ) : (
          <a href="/backoffice/mentions?toutes=1">Afficher aussi les mentions déjà lues</a>
        )}
      </p>
      {mentions.length === 0 ? (
        <p>{all ? 'Aucun collègue ne vous a encore mentionné.' : 'Aucune mention non lue.'}</p>
      ) : (
        <table class="mentions">
          <caption class="visually-hidden">{all ? 'Toutes mes mentions' : 'Mes mentions non lues'}</caption>
          <thead>
            <tr>
              <th scope="col">Dossier</th>
              <th scope="col">Par</th>
              <th scope="col">Note</th>
              <th scope="col">Date</th>
              {all ? <th scope="col">État</th> : null}
            </tr>
          </thead>
          <tbody>
            {mentions.map((m) => (
              <tr>
                <td>
                  <a href={`/backoffice/mentions/${m.id}`}>{m.caseReference}</a>
                  <br />
                  {m.caseSubject}
                </td>
                <td>{m.authorName}</td>
                <td>{m.text.length > 280 ? `${m.text.slice(0, 280)}…` : m.text}</td>
                <td>
                  <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, timezone)}</time>
                </td>
                {all ? <td>{m.readAt ? 'Lue' : 'Non lue'}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
