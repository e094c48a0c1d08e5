import type { ComponentChildren } from 'preact';
import { formatDate } from '../../../portal/cases/views/dates.js';
import { handlingTimeLabel, inboxHref, type Dashboard, type DashboardFigures, type InboxFilter } from '../service.js';

const integer = new Intl.NumberFormat('fr-FR');
const oneDecimal = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });

/** Noon keeps a local date on the same day whatever the zone it is shown in. */
const dateLabel = (isoDate: string, timezone: string) => formatDate(`${isoDate}T12:00:00Z`, timezone);

/**
 * A figure and the link to the cases behind it. The link names what it counts for screen readers,
 * who may reach it out of its table (list of links).
 */
function Figure({ value, href, what }: { value: ComponentChildren; href: string; what: string }) {
  return (
    <a href={href}>
      {value}
      <span class="visually-hidden"> — {what}</span>
    </a>
  );
}

function FigureCells({ f, d, where, showOnlineShare }: { f: DashboardFigures; d: Dashboard; where: { departement?: number; label: string }; showOnlineShare: boolean }) {
  const base: InboxFilter = where.departement === undefined ? {} : { departement: where.departement };
  const closedSince: InboxFilter = { ...base, etat: 'clos', clos_du: d.weekStart };
  const of = (what: string) => `${what}, ${where.label}`;
  return (
    <>
      <td class="figure">
        <Figure value={integer.format(f.open)} href={inboxHref(base)} what={of('dossiers ouverts')} />
      </td>
      <td class="figure">
        <Figure value={integer.format(f.newToday)} href={inboxHref({ ...base, etat: 'tous', recu_du: d.today, recu_au: d.today })} what={of('reçus aujourd’hui')} />
      </td>
      <td class="figure">
        <Figure value={integer.format(f.atRisk)} href={inboxHref({ ...base, delai: 'a-risque' })} what={of('à risque')} />
      </td>
      <td class="figure">
        <Figure value={integer.format(f.overdue)} href={inboxHref({ ...base, delai: 'en-retard' })} what={of('en retard')} />
      </td>
      <td class="figure">
        <Figure value={integer.format(f.handled)} href={inboxHref(closedSince)} what={of('traités cette semaine')} />
      </td>
      <td class="figure">
        {f.averageHandlingSeconds === null ? (
          <span title="Aucun dossier traité cette semaine">—</span>
        ) : (
          <Figure value={handlingTimeLabel(f.averageHandlingSeconds)} href={inboxHref(closedSince)} what={of('durée moyenne de traitement cette semaine')} />
        )}
      </td>
      <td class="figure">
        {f.satisfaction === null ? (
          <span title="Aucune réponse cette semaine">—</span>
        ) : (
          <Figure
            value={`${oneDecimal.format(f.satisfaction)} / 5 (${integer.format(f.satisfactionAnswers)} ${f.satisfactionAnswers > 1 ? 'réponses' : 'réponse'})`}
            href={inboxHref({ ...closedSince, satisfaction: 'repondu' })}
            what={of('satisfaction des usagers')}
          />
        )}
      </td>
      {showOnlineShare ? (
        <td class="figure">
          {f.receivedThisMonth === 0 ? '—' : `${percent.format(f.onlineThisMonth / f.receivedThisMonth)} (${integer.format(f.onlineThisMonth)} sur ${integer.format(f.receivedThisMonth)})`}
        </td>
      ) : null}
    </>
  );
}

/** The dashboard page: the agent's own cases, then one row per department of their scope and a total. */
export function DashboardPage({ dashboard: d, timezone }: { dashboard: Dashboard; timezone: string }) {
  const mine: InboxFilter = { attribution: 'moi' };
  const parents = new Map<number, string>();
  const path: string[] = [];
  for (const row of d.rows) {
    path[row.depth] = row.name;
    if (row.depth > 0) parents.set(row.departmentId, path[row.depth - 1]!);
  }
  return (
    <>
      <h1>Tableau de bord</h1>
      <section aria-labelledby="mes-dossiers" class="dashboard-mine">
        <h2 id="mes-dossiers">Mes dossiers</h2>
        <ul class="dashboard-cards">
          <li>
            <a href={inboxHref(mine)}>
              <strong>{integer.format(d.mine.open)}</strong> {d.mine.open > 1 ? 'dossiers ouverts' : 'dossier ouvert'} qui me {d.mine.open > 1 ? 'sont attribués' : 'est attribué'}
            </a>
          </li>
          <li>
            <a href={inboxHref({ ...mine, delai: 'a-risque' })}>
              <strong>{integer.format(d.mine.atRisk)}</strong> à risque
            </a>
          </li>
          <li>
            <a href={inboxHref({ ...mine, delai: 'en-retard' })}>
              <strong>{integer.format(d.mine.overdue)}</strong> en retard
            </a>
          </li>
        </ul>
      </section>
      <section aria-labelledby="par-service">
        <h2 id="par-service">Par service</h2>
        {d.rows.length === 0 ? (
          <p>Vous n’êtes rattaché à aucun service : demandez à un administrateur de vous en attribuer un.</p>
        ) : (
          <>
            <p class="hint">
              « Traités cette semaine » compte les dossiers clos depuis le lundi {dateLabel(d.weekStart, timezone)} ; la durée de traitement va de la réception à la clôture. Chaque
              chiffre mène à la liste des dossiers correspondants.
            </p>
            <div class="table-scroll" tabindex={0} role="region" aria-labelledby="dashboard-caption">
              <table class="dashboard-table">
                <caption id="dashboard-caption">Indicateurs par service au {dateLabel(d.today, timezone)}</caption>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Dossiers ouverts</th>
                    <th scope="col">Reçus aujourd’hui</th>
                    <th scope="col">À risque</th>
                    <th scope="col">En retard</th>
                    <th scope="col">Traités cette semaine</th>
                    <th scope="col">Durée moyenne de traitement</th>
                    <th scope="col">Satisfaction</th>
                    {d.showOnlineShare ? <th scope="col">Demandes en ligne ce mois-ci</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((row) => (
                    <tr>
                      <th scope="row" class={`depth-${Math.min(row.depth, 3)}`}>
                        {row.depth > 0 ? <span class="visually-hidden">Sous-service de {parents.get(row.departmentId)} : </span> : null}
                        {row.name}
                      </th>
                      <FigureCells f={row} d={d} where={{ departement: row.departmentId, label: row.name }} showOnlineShare={d.showOnlineShare} />
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    <FigureCells f={d.total} d={d} where={{ label: 'tous mes services' }} showOnlineShare={d.showOnlineShare} />
                  </tr>
                </tfoot>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
