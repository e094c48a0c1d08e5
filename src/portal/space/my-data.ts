import { caseRepository } from '../../cases/repository.js';
import { citizenProfile, householdMembers } from '../../citizens/profile.js';
import type { Executor } from '../../db/transaction.js';
import { messageRepository } from '../../messages/repository.js';
import { trackCase } from '../tracking.js';
import { spaceAccountRepository } from './account-repository.js';

/**
 * Everything the town holds about a citizen, for the right of access and the right to data
 * portability (RGPD articles 15 and 20): identity, contacts, account (never its password hash),
 * household, cases with their data, the steps and messages the citizen may see, the documents of
 * the safe (metadata: the files themselves are downloaded one by one), drafts, sessions and
 * satisfaction answers. Agents' internal notes and events are not personal data of the citizen's
 * making and stay out, as on the tracking page.
 */
export async function exportMyData(db: Executor, citizenId: number, organisationName: string, now: string) {
  const profile = await citizenProfile(db, citizenId);
  if (!profile) return undefined;
  const [account, contacts, caseIds, documents, drafts, sessions, satisfaction, members] = await Promise.all([
    spaceAccountRepository.account(db, citizenId),
    spaceAccountRepository.contacts(db, citizenId),
    spaceAccountRepository.caseIds(db, citizenId),
    spaceAccountRepository.documents(db, citizenId),
    spaceAccountRepository.drafts(db, citizenId),
    spaceAccountRepository.sessions(db, citizenId),
    spaceAccountRepository.satisfaction(db, citizenId),
    profile.householdId !== null ? householdMembers(db, profile.householdId) : Promise.resolve([]),
  ]);
  const cases = [];
  for (const id of caseIds) {
    const view = await caseRepository.findById(db, id);
    if (!view) continue;
    const tracked = await trackCase(db, view.trackingCode);
    const messages = (await messageRepository.listForCase(db, id)).filter((m) => m.channel !== 'agent_email');
    cases.push({
      reference: view.reference,
      trackingCode: view.trackingCode,
      procedure: view.procedure?.title ?? null,
      subject: view.subject,
      channel: view.channel,
      status: tracked?.status.label ?? view.status,
      receivedAt: view.receivedAt,
      dueAt: view.dueAt,
      implicitDecisionAt: view.implicitDecisionAt,
      closedAt: view.closedAt,
      location: view.location,
      contact: view.contact,
      data: view.data,
      steps: tracked?.steps ?? [],
      messages: messages.map((m) => ({
        direction: m.direction === 'in' ? 'reçu de vous' : 'envoyé par la mairie',
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body_text,
        at: m.created_at,
        sentAt: m.sent_at,
      })),
    });
  }
  return {
    exportedAt: now,
    organisation: organisationName,
    legalBasis: 'Droit d’accès (article 15) et droit à la portabilité (article 20) du RGPD',
    identity: {
      civility: profile.civility,
      firstNames: profile.firstNames,
      birthName: profile.birthName,
      usageName: profile.usageName,
      birthDate: profile.birthDate,
      gender: profile.gender,
      birthPlace: profile.birthPlace,
      birthCountry: profile.birthCountry,
      certifiedBy: profile.identityAssurance === 'franceconnect' ? 'FranceConnect' : profile.identityAssurance === 'counter' ? 'guichet de la mairie' : null,
    },
    contacts: { emails: contacts.emails, phones: contacts.phones, addresses: contacts.addresses },
    account: account ? { ...account, linkedIdentities: contacts.identities } : null,
    household: members.map((m) => ({ role: m.role, relationship: m.relationship, firstNames: m.firstNames, lastName: m.lastName, birthDate: m.birthDate })),
    cases,
    documents,
    drafts,
    sessions,
    satisfaction,
  };
}
