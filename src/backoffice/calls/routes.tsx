import { render } from 'preact-render-to-string';
import { onAgentCalls } from '../../channels/phone/live.js';
import { phoneRepository } from '../../channels/phone/repository.js';
import type { App } from '../../http/context.js';
import { logAccess } from '../access-log.js';
import { sendBackofficePage } from '../page.js';
import { authorizeAdmin, computeScope, scopeOf } from '../policy.js';
import { agentSessionRepository } from '../session-repository.js';
import { checkAgentRequestCsrf, requireAgent } from '../session.js';
import { activeCalls, agentExtensions, callAfterwards, CALL_EVENTS_URL, CALLS_URL, EXTENSIONS_URL, listCalls, saveExtensions, type CallModel } from './service.js';
import { CallPop, CallsPage, ExtensionsPage } from './views.js';

const hidden = { hide: true };
const LIST_LIMIT = 100;
/** How often a stream looks at the database (a call recorded by another server process). */
export const CALL_POLL_MS = 2_000;
const HEARTBEAT_MS = 15_000;

/** What makes a pop change on screen: its state, its caller, who has it. */
const signature = (c: CallModel) => `${c.state}|${c.citizen?.id ?? ''}|${c.matches}|${c.agentId ?? ''}`;

/**
 * Telephone calls in the back-office: the agent's calls page, and the live stream that brings
 * screen pops to every page they have open.
 */
export async function callRoutes(app: App): Promise<void> {
  const { db, config } = app.ctx;
  // Open streams end when the server closes, so a shutdown never waits for agents' browsers.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });

  app.get(CALLS_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const scope = await scopeOf(request, session);
    const [active, calls, extension] = await Promise.all([activeCalls(db.kysely, session.agentId), listCalls(db.kysely, scope, LIST_LIMIT), phoneRepository.extensionOf(db.kysely, session.agentId)]);
    // Callers' names and numbers are personal data: showing the list is logged.
    if (calls.length > 0 || active.length > 0) await logAccess(request, session, { action: 'view_call', detail: `liste des appels : ${calls.length}` });
    return sendBackofficePage(request, reply, {
      title: 'Appels téléphoniques',
      session,
      scope,
      section: 'calls',
      body: <CallsPage extension={extension} active={active} calls={calls} showAgent={scope.isAdmin} timezone={config.TIMEZONE} limit={LIST_LIMIT} />,
    });
  });

  // Admins give agents their extensions (the agents table's `phone_extension`).
  app.get(EXTENSIONS_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const scope = await scopeOf(request, session);
    authorizeAdmin(scope);
    const agents = await agentExtensions(db.kysely, session.organisationId);
    const saved = (request.query as Record<string, unknown>)['fait'] === '1';
    return sendBackofficePage(request, reply, { title: 'Postes téléphoniques — Administration', session, scope, section: 'admin', body: <ExtensionsPage csrf={session.csrf} agents={agents} typed={null} problems={[]} saved={saved} /> });
  });

  app.post(EXTENSIONS_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const scope = await scopeOf(request, session);
    authorizeAdmin(scope);
    checkAgentRequestCsrf(request, session);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed = new Map<number, string>();
    for (const [name, value] of Object.entries(body)) {
      const match = /^poste-(\d{1,12})$/.exec(name);
      if (match && typeof value === 'string') typed.set(Number(match[1]), value.slice(0, 100));
    }
    const outcome = await saveExtensions(db.kysely, session.organisationId, typed);
    if (outcome.ok) return reply.redirect(`${EXTENSIONS_URL}?fait=1`, 303);
    const agents = await agentExtensions(db.kysely, session.organisationId);
    return sendBackofficePage(request, reply, {
      title: 'Erreur — Postes téléphoniques — Administration',
      session,
      scope,
      section: 'admin',
      status: 422,
      body: <ExtensionsPage csrf={session.csrf} agents={agents} typed={typed} problems={outcome.problems} saved={false} />,
    });
  });

  /**
   * Server-sent events: the signed-in agent's own calls, as pops to show (`call`) or to take away
   * (`call-removed`, when another extension answered). Only that agent's calls are ever read.
   * The call recorder wakes the stream at once in this process; a poll covers the others. The
   * session is read again on each look (a closed session ends the stream).
   */
  app.get(CALL_EVENTS_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'private, no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: ${CALL_POLL_MS}\n\n`);
    const shown = new Map<number, string>();
    const logged = new Set<number>();
    let closed = false;
    let looking = false;
    let again = false;
    const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const look = async (): Promise<void> => {
      if (closed) return;
      if (looking) {
        again = true;
        return;
      }
      looking = true;
      try {
        const active = await agentSessionRepository.findActive(db.kysely, session.id, new Date().toISOString());
        if (!active || active.stage !== 'ready') return stop();
        const scope = await computeScope(db.kysely, session.agentId, session.organisationId);
        const calls = await activeCalls(db.kysely, session.agentId);
        const now = new Set(calls.map((c) => c.id));
        for (const call of calls) {
          if (shown.get(call.id) === signature(call)) continue;
          if (call.citizen && !logged.has(call.id)) {
            logged.add(call.id);
            await logAccess(request, session, { action: 'view_call', citizenId: call.citizen.id, detail: 'appel présenté' });
          }
          shown.set(call.id, signature(call));
          if (!closed) send('call', { id: call.id, state: call.state, html: render(<CallPop call={call} timezone={config.TIMEZONE} />) });
        }
        for (const id of [...shown.keys()].filter((id) => !now.has(id))) {
          shown.delete(id);
          const after = await callAfterwards(db.kysely, scope, id);
          if (closed) break;
          if (after) send('call', { id, state: after.state, html: render(<CallPop call={after} timezone={config.TIMEZONE} />) });
          else send('call-removed', { id });
        }
      } catch (error) {
        request.log.error(error, 'call screen pops');
        stop();
      } finally {
        looking = false;
        if (again && !closed) {
          again = false;
          void look();
        }
      }
    };
    const poller = setInterval(() => void look(), CALL_POLL_MS);
    const heartbeat = setInterval(() => !closed && raw.write(': ping\n\n'), HEARTBEAT_MS);
    const unsubscribe = onAgentCalls(session.agentId, () => void look());
    streams.add(stop);
    function stop() {
      if (closed) return;
      closed = true;
      streams.delete(stop);
      clearInterval(poller);
      clearInterval(heartbeat);
      unsubscribe();
      raw.end();
    }
    request.raw.on('close', stop);
    raw.on('close', stop);
    void look();
    return reply;
  });
}
