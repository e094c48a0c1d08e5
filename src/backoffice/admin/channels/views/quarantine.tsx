import { HEALTH_CHANNELS, reasonLabel } from '../../../../channels/health/service.js';
import type { Inbound, InboundChannel } from '../../../../channels/inbound-repository.js';
import { Csrf, Notice } from '../../../auth/views/fields.js';
import { dateTime, sizeLabel } from './format.js';

const channelLabel = (channel: string) => HEALTH_CHANNELS.find((c) => c.channel === channel)?.label ?? channel;

/**
 * The items no channel could process, newest first, kept as they arrived: admins download them
 * and have e-mails processed again (the e-mail channel's reprocessing).
 */
export function QuarantinePage({
  items,
  channel,
  olderHref,
  csrf,
  notice,
}: {
  items: Inbound[];
  channel: InboundChannel | null;
  olderHref: string | null;
  csrf: string;
  notice: string | null;
}) {
  return (
    <div class="admin-page channels-quarantine">
      <Notice text={notice} />
      <p>
        <a href="/backoffice/admin/canaux">Retour à la santé des canaux</a>
      </p>
      <h1>Quarantaine des canaux{channel ? ` : ${channelLabel(channel)}` : ''}</h1>
      <p>
        Les éléments reçus qu’aucun traitement n’a pu transformer en dossier ou en message : ils sont gardés tels qu’ils sont arrivés, avec la raison de l’échec.
        Leur contenu brut contient des données personnelles : chaque téléchargement est inscrit au{' '}
        <a href="/backoffice/admin/journal-des-acces">journal des accès</a>.
      </p>
      <p>
        « Retraiter » relance le traitement d’un courriel depuis son contenu brut, par exemple après la correction de la configuration ; il ne crée jamais de
        second dossier pour un même message. Sur le serveur, la commande <code>guichet channels reprocess &lt;numéro&gt;</code> fait de même.
      </p>
      <form method="get" action="/backoffice/admin/canaux/quarantaine" class="admin-filters">
        <div>
          <label for="canal">Canal</label>
          <select id="canal" name="canal">
            <option value="">Tous les canaux</option>
            {HEALTH_CHANNELS.map((c) => (
              <option value={c.channel} selected={c.channel === channel}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filtrer</button>
      </form>
      {items.length === 0 ? (
        <p>Aucun élément en quarantaine{channel ? ' pour ce canal' : ''}.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Éléments en quarantaine, du plus récent au plus ancien</caption>
          <thead>
            <tr>
              <th scope="col">N°</th>
              <th scope="col">Canal</th>
              <th scope="col">Reçu le</th>
              <th scope="col">Expéditeur</th>
              <th scope="col">Résumé</th>
              <th scope="col">Motif et erreur</th>
              <th scope="col">Taille</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr>
                <th scope="row">{item.id}</th>
                <td>{channelLabel(item.channel)}</td>
                <td>
                  <time datetime={item.receivedAt}>{dateTime.format(new Date(item.receivedAt))}</time>
                </td>
                <td class="quarantine-text">{item.sender ?? 'inconnu'}</td>
                <td class="quarantine-text">{item.summary ?? '—'}</td>
                <td class="quarantine-text">
                  <strong>{reasonLabel(item.reason)}</strong>
                  {item.error ? (
                    <>
                      <br />
                      {item.error}
                    </>
                  ) : null}
                  {item.attempts > 1 ? (
                    <>
                      <br />
                      <span class="admin-muted">{item.attempts} tentatives</span>
                    </>
                  ) : null}
                </td>
                <td>{sizeLabel(item.rawSize)}</td>
                <td>
                  <ul class="quarantine-actions">
                    <li>
                      <a href={`/backoffice/admin/canaux/quarantaine/${item.id}/brut`} download>
                        Télécharger le message brut<span class="visually-hidden"> n° {item.id}</span>
                      </a>
                    </li>
                    {item.channel === 'email' ? (
                      <li>
                        <form method="post" action={`/backoffice/admin/canaux/quarantaine/${item.id}/retraiter`} class="inline-form">
                          <Csrf value={csrf} />
                          {channel ? <input type="hidden" name="canal" value={channel} /> : null}
                          <button type="submit">
                            Retraiter<span class="visually-hidden"> le message n° {item.id}</span>
                          </button>
                        </form>
                      </li>
                    ) : null}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {olderHref ? (
        <p>
          <a href={olderHref} rel="next">
            Éléments plus anciens
          </a>
        </p>
      ) : null}
    </div>
  );
}
