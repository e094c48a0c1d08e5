import { formatDateTime } from '../../portal/cases/views/dates.js';
import { caseUrl, citizenUrl, frenchPhone } from '../citizens/views/common.js';
import { ErrorSummary, type FieldProblem } from '../../http/ui/layout.js';
import { EXTENSIONS_URL, newRequestFromCallUrl, type AgentExtension, type CallModel } from './service.js';

const STATE_TITLE = {
  in: { ringing: 'Appel entrant', answered: 'Appel en cours', ended: 'Appel terminé' },
  out: { ringing: 'Appel sortant', answered: 'Appel en cours', ended: 'Appel terminé' },
} as const;
const STATE_LABEL = { ringing: 'Sonne', answered: 'En cours', ended: 'Terminé' } as const;

/** « 06 12 34 56 78 », or « Numéro masqué » when the PBX sent none. */
export function callNumber(call: CallModel): string {
  if (call.e164) return frenchPhone(call.e164);
  return /\d/.test(call.number) ? call.number : 'Numéro masqué';
}

/**
 * Who is calling, as a link to their 360° view when the number is verified on one citizen's record;
 * a number only declared on records names nobody, it links to them for the agent to check.
 */
function Caller({ call }: { call: CallModel }) {
  if (call.citizen) return <a href={citizenUrl(call.citizen.id)}>{call.citizen.name}</a>;
  if (call.matches > 0 && call.e164) {
    return <a href={`/backoffice/usagers?q=${encodeURIComponent(call.e164)}`}>{`Numéro vu sur ${call.matches === 1 ? 'cette fiche' : `ces ${call.matches} fiches`} (non vérifié)`}</a>;
  }
  return <>Numéro inconnu</>;
}

/**
 * The screen pop of a call: who calls (their 360° view), and « create a request from this call ».
 * The same block is sent live to the agent's pages and drawn on the calls page without script.
 */
export function CallPop({ call, timezone, live = true }: { call: CallModel; timezone: string; live?: boolean }) {
  // The calls page shows the same call as its pop may: their ids must differ.
  const titleId = `appel-${call.id}-titre${live ? '' : '-page'}`;
  return (
    <section class={`call-pop call-pop-${call.state}`} data-call={live ? String(call.id) : undefined} aria-labelledby={titleId}>
      <h2 id={titleId} class="call-pop-title">
        <span aria-hidden="true">☎</span> {STATE_TITLE[call.direction][call.state]}
        {call.state === 'ended' && call.causeLabel ? ` (${call.causeLabel})` : ''}
      </h2>
      <p class="call-pop-caller">
        <Caller call={call} /> — {callNumber(call)}
        <span class="call-pop-time">
          {' '}
          — <time datetime={call.startedAt}>{formatDateTime(call.startedAt, timezone)}</time>
        </span>
      </p>
      <ul class="actions-list">
        <li>
          <a href={newRequestFromCallUrl(call.id)}>Créer une demande à partir de cet appel</a>
        </li>
        {call.state === 'ended' ? (
          <li>
            <button type="button" class="secondary call-pop-close" data-call-close hidden>
              Fermer<span class="visually-hidden"> l’appel {callNumber(call)}</span>
            </button>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

/** The live region every back-office page carries: the screen pops arrive in it. */
export function CallPopRegion({ eventsUrl }: { eventsUrl: string }) {
  return <div class="call-pops" aria-live="polite" data-call-events={eventsUrl}></div>;
}

/**
 * The agent's calls (an admin: every call): the ones ringing or going on, as pops, then the list.
 * Works without script; reloading it shows a new call.
 */
export function CallsPage({ extension, active, calls, showAgent, timezone, limit }: { extension: string | null; active: CallModel[]; calls: CallModel[]; showAgent: boolean; timezone: string; limit: number }) {
  return (
    <>
      <h1>Appels téléphoniques</h1>
      <p class="lead">
        {showAgent ? 'Les appels de la collectivité remontés par le standard téléphonique' : 'Les appels qui ont sonné sur votre poste ou que vous avez pris'}, du plus récent au plus ancien
        {calls.length >= limit ? ` (les ${limit} derniers)` : ''}.
      </p>
      <p>
        {extension
          ? `Votre numéro de poste : ${extension}. Quand il sonne, l’appel s’affiche en haut de chaque page de l’espace agents.`
          : 'Vous n’avez pas de numéro de poste : les appels ne s’affichent pas sur vos pages. Un administrateur peut vous en attribuer un.'}
        {showAgent ? (
          <>
            {' '}
            <a href={EXTENSIONS_URL}>Gérer les postes des agents</a>
          </>
        ) : null}
      </p>
      <section aria-labelledby="appels-en-cours-titre">
        <h2 id="appels-en-cours-titre">Appels en cours</h2>
        {active.length === 0 ? <p>Aucun appel en cours sur votre poste.</p> : active.map((call) => <CallPop call={call} timezone={timezone} live={false} />)}
      </section>
      <section aria-labelledby="appels-recents-titre">
        <h2 id="appels-recents-titre">Appels récents</h2>
        {calls.length === 0 ? (
          <p>Aucun appel.</p>
        ) : (
          <table class="citizen-table calls-table">
            <caption class="visually-hidden">Appels récents, du plus récent au plus ancien</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Sens</th>
                <th scope="col">Usager</th>
                <th scope="col">Numéro</th>
                {showAgent ? <th scope="col">Agent (poste)</th> : null}
                <th scope="col">État</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((call) => (
                <tr>
                  <th scope="row">
                    <time datetime={call.startedAt}>{formatDateTime(call.startedAt, timezone)}</time>
                  </th>
                  <td>{call.direction === 'in' ? 'Entrant' : 'Sortant'}</td>
                  <td>
                    <Caller call={call} />
                  </td>
                  <td>{callNumber(call)}</td>
                  {showAgent ? <td>{call.agentName ? `${call.agentName}${call.extension ? ` (${call.extension})` : ''}` : call.extension ? `Poste ${call.extension}` : '—'}</td> : null}
                  <td>
                    {STATE_LABEL[call.state]}
                    {call.state === 'ended' && call.causeLabel ? ` — ${call.causeLabel}` : ''}
                    {call.state === 'ended' && !call.answeredAt && call.direction === 'in' ? ' — non décroché' : ''}
                  </td>
                  <td>
                    {call.caseReference ? (
                      <a href={caseUrl(call.caseReference)}>Demande {call.caseReference}</a>
                    ) : (
                      <a href={newRequestFromCallUrl(call.id)}>
                        Créer une demande<span class="visually-hidden"> à partir de l’appel du {formatDateTime(call.startedAt, timezone)}</span>
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** Admins: every active agent's extension, in one form (the number their phone answers on). */
export function ExtensionsPage({ csrf, agents, typed, problems, saved }: { csrf: string; agents: AgentExtension[]; typed: Map<number, string> | null; problems: FieldProblem[]; saved: boolean }) {
  const wrong = new Set(problems.map((p) => p.target));
  return (
    <div class="admin-page">
      <p>
        <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
      <h1>Postes téléphoniques des agents</h1>
      <ErrorSummary problems={problems} />
      {saved ? (
        <p class="flash" role="status">
          Les postes ont été enregistrés.
        </p>
      ) : null}
      <p>
        Quand le standard signale un appel vers un poste, l’agent de ce poste voit l’appelant s’afficher en haut de ses pages (remontée de fiche). Laissez vide pour un agent sans poste.
      </p>
      <form method="post" action={EXTENSIONS_URL} novalidate>
        <input type="hidden" name="_csrf" value={csrf} />
        <table class="citizen-table">
          <caption class="visually-hidden">Agents actifs et leur numéro de poste</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Numéro de poste</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => (
              <tr>
                <th scope="row">
                  <label for={`poste-${agent.id}`}>{agent.name}</label> <span class="citizen-meta">{agent.email}</span>
                </th>
                <td>
                  <input
                    type="text"
                    id={`poste-${agent.id}`}
                    name={`poste-${agent.id}`}
                    value={typed?.get(agent.id) ?? agent.extension ?? ''}
                    maxLength={50}
                    size={8}
                    autocomplete="off"
                    spellcheck={false}
                    aria-invalid={wrong.has(`poste-${agent.id}`) ? 'true' : undefined}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="submit">Enregistrer les postes</button>
      </form>
    </div>
  );
}
