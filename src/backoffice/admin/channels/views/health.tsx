import { ErrorSummary } from '../../../../http/ui/layout.js';
import type { ChannelHealth, HealthReport } from '../../../../channels/health/service.js';
import type { ChannelSetting } from '../../../../channels/status.js';
import { dateTime, integer, PAGE_PERIODS, STATE_LABEL, type PagePeriod } from './format.js';

/** The admins' view of every channel: figures over a period, configuration, last error. */
export function ChannelHealthPage({ report, period, periodProblem }: { report: HealthReport; period: PagePeriod; periodProblem: string | null }) {
  const periodLabel = PAGE_PERIODS[period].label.toLowerCase();
  return (
    <div class="admin-page channels-health">
      <ErrorSummary problems={periodProblem ? [{ target: 'periode', message: periodProblem }] : []} />
      <p>
        <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
      <h1>Santé des canaux</h1>
      <p>
        Ce que chaque canal a reçu et ce qu’il en a fait, depuis le <time datetime={report.since}>{dateTime.format(new Date(report.since))}</time>. Les éléments
        qui n’ont pas pu être traités sont gardés tels quels dans la <a href="/backoffice/admin/canaux/quarantaine">quarantaine</a>.
      </p>
      <form method="get" action="/backoffice/admin/canaux" class="admin-filters">
        <div>
          <label for="periode">Période</label>
          {periodProblem ? (
            <p class="auth-error" id="periode-error">
              <span class="visually-hidden">Erreur : </span>
              {periodProblem}
            </p>
          ) : null}
          <select id="periode" name="periode" {...(periodProblem ? { 'aria-invalid': 'true', 'aria-describedby': 'periode-error' } : {})}>
            {(Object.keys(PAGE_PERIODS) as PagePeriod[]).map((code) => (
              <option value={code} selected={code === period}>
                {PAGE_PERIODS[code].label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Afficher</button>
      </form>
      {report.channels.map((c) => (
        <ChannelSection channel={c} periodLabel={periodLabel} />
      ))}
    </div>
  );
}

function ChannelSection({ channel: c, periodLabel }: { channel: ChannelHealth; periodLabel: string }) {
  const id = `canal-${c.channel}`;
  const quarantineHref = `/backoffice/admin/canaux/quarantaine?canal=${c.channel}`;
  return (
    <section aria-labelledby={id} class="channel-health">
      <h2 id={id}>
        {c.label} <span class={`channel-state channel-state-${c.configuration}`}>{STATE_LABEL[c.configuration]}</span>
      </h2>
      {c.stalePending ? (
        <p class="channel-warning">
          <strong>Attention :</strong> {integer.format(c.stalePending.count)} élément{c.stalePending.count > 1 ? 's' : ''} reçu{c.stalePending.count > 1 ? 's' : ''} et
          toujours pas traité{c.stalePending.count > 1 ? 's' : ''} après cinq minutes (le plus ancien depuis le{' '}
          <time datetime={c.stalePending.oldestReceivedAt}>{dateTime.format(new Date(c.stalePending.oldestReceivedAt))}</time>) : le traitement de ce canal est peut-être
          arrêté.
        </p>
      ) : null}
      <table class="channel-figures">
        <caption>
          {c.label} : éléments reçus, {periodLabel}
        </caption>
        <thead>
          <tr>
            <th scope="col">Sort</th>
            <th scope="col" class="figure">
              Nombre
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Reçus</th>
            <td class="figure">{integer.format(c.received)}</td>
          </tr>
          <tr>
            <th scope="row">Dossiers créés</th>
            <td class="figure">{integer.format(c.created)}</td>
          </tr>
          <tr>
            <th scope="row">Ajoutés à un dossier existant</th>
            <td class="figure">{integer.format(c.threaded)}</td>
          </tr>
          <tr>
            <th scope="row">Ignorés</th>
            <td class="figure">{integer.format(c.ignored)}</td>
          </tr>
          {c.ignoredByReason.map((r) => (
            <tr>
              <th scope="row" class="channel-reason">
                dont {r.label}
              </th>
              <td class="figure">{integer.format(r.count)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Mis en quarantaine</th>
            <td class="figure">
              {c.quarantined > 0 ? (
                <a href={quarantineHref}>
                  {integer.format(c.quarantined)}
                  <span class="visually-hidden"> — voir la quarantaine du canal {c.label}</span>
                </a>
              ) : (
                '0'
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">En attente de traitement</th>
            <td class="figure">{integer.format(c.pending)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        Dernière réception :{' '}
        {c.lastReceivedAt ? <time datetime={c.lastReceivedAt}>{dateTime.format(new Date(c.lastReceivedAt))}</time> : 'aucune'}.
      </p>
      <h3>Configuration</h3>
      {c.settings.length === 0 ? <p>Ce canal ne déclare aucun réglage : il est désactivé.</p> : <SettingList settings={c.settings} />}
      <h3>Dernière erreur</h3>
      {c.lastError ? (
        <p>
          <time datetime={c.lastError.receivedAt}>{dateTime.format(new Date(c.lastError.receivedAt))}</time> — {c.lastError.reasonLabel}
          {c.lastError.error ? ` : ${c.lastError.error}` : ''}. <a href={quarantineHref}>Voir la quarantaine du canal {c.label}</a>
        </p>
      ) : (
        <p>Aucune erreur : aucun élément de ce canal n’est en quarantaine.</p>
      )}
    </section>
  );
}

/** Each setting with its state in words (the colour only repeats it). */
function SettingList({ settings }: { settings: ChannelSetting[] }) {
  return (
    <ul class="channel-settings">
      {settings.map((s) => (
        <li>
          <strong>{s.label}</strong> : <span class={`channel-state channel-state-${s.state}`}>{STATE_LABEL[s.state]}</span>
          {s.detail ? ` — ${s.detail}` : ''}
        </li>
      ))}
    </ul>
  );
}
