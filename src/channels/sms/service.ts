/**
 * What becomes of a received SMS. It is recorded first (channel_inbound: the proof of receipt and
 * the de-duplication of the provider's retries), then: STOP / START change the number's opt-out;
 * a message from a citizen with an open case is a reply to it (recordCitizenReply: the wait for
 * the citizen ends); anything else is a new request in the triage procedure (submitCase). Each
 * outcome settles the receipt in the transaction that produced it.
 */
import { isMobile } from '../../workflow/effects.js';
import { caseRepository } from '../../cases/repository.js';
import type { Actor } from '../../cases/journal.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { transaction, type Executor } from '../../db/transaction.js';
import { AppError } from '../../http/errors.js';
import { hashRequest } from '../../intake/idempotency.js';
import { submitCase } from '../../intake/service.js';
import { recordCitizenReply } from '../../messages/citizen-reply.js';
import { toE164 } from '../../procedures/form/phone.js';
import { procedureRepository } from '../../procedures/repository.js';
import { inboundRepository, type InboundOutcome, type InboundStatus } from '../inbound-repository.js';
import { channelOrganisation } from '../organisation.js';
import { smsKeyword } from './keywords.js';
import type { InboundSms, SmsProviderName } from './providers.js';
import { smsRepository, type ReplyTarget } from './repository.js';
import { triageData } from './triage.js';

export interface SmsDeps {
  db: Db;
  config: Config;
}

/** How a delivery ended; `duplicate` when the provider sent again an SMS already settled. */
export interface SmsResult {
  inboundId: number;
  outcome: Exclude<InboundStatus, 'pending'>;
  duplicate: boolean;
  caseId: number | null;
}

/** Automatic acknowledgments to one number: at most this many… */
const ACKNOWLEDGMENTS_PER_WINDOW = 3;
/** …in this window, so that a loop with another automaton never turns into an SMS storm. */
const ACKNOWLEDGMENT_WINDOW_MS = 10 * 60_000;

const SYSTEM: Actor = { type: 'system', id: null };

/** Thrown inside a transaction whose receipt a concurrent delivery of the same SMS settled first: it rolls back. */
class SettledMeanwhile extends Error {}

/** Records, then processes one SMS the provider delivered; idempotent on the provider's message id. */
export async function receiveSms(deps: SmsDeps, provider: SmsProviderName, sms: InboundSms): Promise<SmsResult> {
  const { db, config } = deps;
  const organisation = await channelOrganisation(db.kysely, config);
  if (!organisation) throw new AppError('unavailable', 'Aucune collectivité n’est encore configurée pour recevoir les SMS.');
  const now = new Date().toISOString();
  const sender = toE164(sms.from) ?? null;
  const item = { organisationId: organisation.id, provider, sender, sms };
  const { id, previous } = await inboundRepository.receive(
    db.kysely,
    { organisationId: organisation.id, channel: 'sms', source: `webhook:${provider}`, externalId: sms.id, sender: sender ?? sms.from, summary: sms.text.slice(0, 200), payload: sms },
    now,
  );
  // Settled: the provider retries an SMS we already took. Pending: its processing never ended
  // (a crash, a timeout): take it up again — the settling transaction decides who wins.
  if (previous && previous.status !== 'pending') return { inboundId: previous.id, outcome: previous.status, duplicate: true, caseId: previous.caseId };
  return processReceipt(deps, id, item);
}

interface Item {
  organisationId: number;
  provider: SmsProviderName;
  sender: string | null;
  sms: InboundSms;
}

async function processReceipt(deps: SmsDeps, inboundId: number, item: Item): Promise<SmsResult> {
  try {
    return await dispatch(deps, inboundId, item);
  } catch (error) {
    if (!(error instanceof SettledMeanwhile)) throw error;
    const settled = await inboundRepository.findById(deps.db.kysely, inboundId);
    return { inboundId, outcome: settled?.status === 'pending' || !settled ? 'ignored' : settled.status, duplicate: true, caseId: settled?.caseId ?? null };
  }
}

async function dispatch(deps: SmsDeps, inboundId: number, item: Item): Promise<SmsResult> {
  const { db } = deps;
  const { sender, sms } = item;
  const text = sms.text.trim();
  // An alphanumeric sender (« INFO-TRAFIC ») or a number we cannot read: nobody to answer or to match.
  if (!sender) return settleAlone(deps, inboundId, { status: 'ignored', reason: 'invalid_sender' });
  const keyword = smsKeyword(text);
  if (keyword) {
    await transaction(db, async (trx) => {
      await claim(trx, inboundId);
      if (keyword === 'stop') await smsRepository.optOut(trx, { phone: sender, organisationId: item.organisationId, inboundId, keyword: text.slice(0, 40) }, new Date().toISOString());
      else await smsRepository.optIn(trx, sender);
      await inboundRepository.settle(trx, inboundId, { status: 'ignored', reason: keyword === 'stop' ? 'opt_out' : 'opt_in' }, new Date().toISOString());
    });
    return { inboundId, outcome: 'ignored', duplicate: false, caseId: null };
  }
  if (text === '' && sms.media === 0) return settleAlone(deps, inboundId, { status: 'ignored', reason: 'empty' });
  const body = sms.media > 0 ? `${text}\n\n[MMS : ${sms.media} image(s) non récupérée(s) — demandez-les à l’usager par un autre moyen.]`.trim() : text;
  const receivedAt = sms.receivedAt && sms.receivedAt < new Date().toISOString() ? sms.receivedAt : new Date().toISOString();

  const target = await smsRepository.replyTarget(db.kysely, item.organisationId, sender);
  if (target) return threadReply(deps, inboundId, item, target, body, receivedAt);
  return newCase(deps, inboundId, item, sender, body, receivedAt);
}

/** The SMS as the citizen's reply on their open case: the wait for them ends as the workflow says. */
async function threadReply(deps: SmsDeps, inboundId: number, item: Item, target: ReplyTarget, body: string, receivedAt: string): Promise<SmsResult> {
  try {
    await recordCitizenReply(
      { db: deps.db, timezone: deps.config.TIMEZONE, publicUrl: deps.config.publicUrl },
      {
        organisationId: item.organisationId,
        caseId: target.caseId,
        citizenId: target.citizenId,
        channel: 'sms',
        body,
        attachmentIds: [],
        receivedAt,
        withinTransaction: async (trx, recorded) => {
          await claim(trx, inboundId);
          await inboundRepository.settle(trx, inboundId, { status: 'threaded', caseId: recorded.caseId, messageId: recorded.messageId }, new Date().toISOString());
        },
      },
    );
  } catch (error) {
    const refused = refusal(error);
    if (!refused) throw error;
    return settleAlone(deps, inboundId, { status: 'quarantined', reason: 'reply_refused', error: refused });
  }
  return { inboundId, outcome: 'threaded', duplicate: false, caseId: target.caseId };
}

/**
 * A new request in the triage procedure, for the reception to sort out. The case's channel is
 * `phone` (cases.channel has no `sms` value, see migration 015); its journal says it came by SMS.
 */
async function newCase(deps: SmsDeps, inboundId: number, item: Item, sender: string, body: string, receivedAt: string): Promise<SmsResult> {
  const { db, config } = deps;
  const procedure = await procedureRepository.findBySlug(db.kysely, item.organisationId, config.CHANNELS_TRIAGE_PROCEDURE);
  if (!procedure) {
    const error = `La démarche de tri « ${config.CHANNELS_TRIAGE_PROCEDURE} » (CHANNELS_TRIAGE_PROCEDURE) n’existe pas.`;
    return settleAlone(deps, inboundId, { status: 'quarantined', reason: 'no_triage_procedure', error });
  }
  const acknowledgment = (await acknowledgmentAllowed(db.kysely, item.organisationId, sender)) ? 'sms' : 'none';
  try {
    const { receipt, replayed } = await submitCase(
      { db, timezone: config.TIMEZONE, publicUrl: config.publicUrl },
      {
        organisationId: item.organisationId,
        procedureSlug: procedure.slug,
        channel: 'phone',
        actor: { type: 'citizen', id: null },
        citizen: { phone: sender },
        // A sender number is trivially spoofed: declared, it binds to no record (ADR 0002).
        contactOrigin: { source: 'sms' },
        data: triageData(procedure.form, { text: body, from: sender }),
        subject: `SMS : ${excerpt(body)}`,
        receivedAt,
        hiddenFields: 'drop',
        idempotency: { scope: 'channel:sms', key: item.sms.id, requestHash: hashRequest({ from: sender, text: body }) },
        acknowledgment,
        withinTransaction: async (trx, created) => {
          await claim(trx, inboundId);
          const now = new Date().toISOString();
          await caseRepository.appendJournal(
            trx,
            created.caseId,
            created.reference,
            [{ type: 'channel.received', actor: SYSTEM, payload: { channel: 'sms', source: 'sms', provider: item.provider, inboundId, from: sender } }],
            now,
          );
          await inboundRepository.settle(trx, inboundId, { status: 'created', caseId: created.caseId }, now);
        },
      },
    );
    return { inboundId, outcome: 'created', duplicate: replayed, caseId: receipt.caseId };
  } catch (error) {
    // The intake refused it (the triage form cannot be filled from an SMS, a procedure closed):
    // kept whole in quarantine with the reason, for an administrator — never lost, never retried.
    const refused = refusal(error);
    if (!refused) throw error;
    return settleAlone(deps, inboundId, { status: 'quarantined', reason: 'intake_refused', error: refused });
  }
}

/** Whether this sender may get an automatic acknowledgment SMS: a mobile, not opted out, under the cap. */
async function acknowledgmentAllowed(db: Executor, organisationId: number, sender: string): Promise<boolean> {
  if (!isMobile(sender) || (await smsRepository.findOptOut(db, sender))) return false;
  const since = new Date(Date.now() - ACKNOWLEDGMENT_WINDOW_MS).toISOString();
  return (await inboundRepository.countFromSender(db, organisationId, 'sms', sender, since, ['created'])) < ACKNOWLEDGMENTS_PER_WINDOW;
}

async function settleAlone(deps: SmsDeps, inboundId: number, outcome: InboundOutcome): Promise<SmsResult> {
  await transaction(deps.db, async (trx) => {
    await claim(trx, inboundId);
    await inboundRepository.settle(trx, inboundId, outcome, new Date().toISOString());
  });
  return { inboundId, outcome: outcome.status, duplicate: false, caseId: 'caseId' in outcome ? (outcome.caseId ?? null) : null };
}

async function claim(trx: Executor, inboundId: number): Promise<void> {
  if (!(await inboundRepository.claimPending(trx, inboundId))) throw new SettledMeanwhile();
}

/**
 * The reason, when the domain refused the SMS (a 4xx AppError): it is quarantined, not answered
 * with an error the provider would retry forever. Anything else (the database down) is thrown, so
 * the provider gets a 5xx and retries, and the receipt stays pending for that retry.
 */
function refusal(error: unknown): string | null {
  if (!(error instanceof AppError) || error.status >= 500) return null;
  return [error.message, ...error.errors.map((e) => `${e.field} : ${e.message}`)].join(' ');
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || 'message sans texte';
}
