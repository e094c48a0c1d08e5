import type { Executor } from '../db/transaction.js';
import { jobRepository } from '../jobs/repository.js';
import { accessibleHtml } from '../messages/mailer.js';
import { accountRepository } from './repository.js';

/** The job that sends account mails (shared with « Mon espace », which queues its own). */
export const ACCOUNT_MAIL_JOB = 'account_mail.send';

export type AccountMailKind = 'verify_email' | 'account_exists' | 'reset_password' | 'password_changed' | 'deletion_request';

export interface AccountMail {
  kind: AccountMailKind;
  subject: string;
  text: string;
}

/** What every account mail needs to speak for the town and link back to its portal. */
export interface MailSender {
  organisationName: string;
  publicUrl: string;
}

const link = (sender: MailSender, path: string) => `${sender.publicUrl.replace(/\/$/, '')}${path}`;
const greeting = (firstNames: string | null) => (firstNames ? `Bonjour ${firstNames.split(' ')[0]},` : 'Bonjour,');

/** The link that confirms a new account's address. */
export function verificationMail(sender: MailSender, firstNames: string | null, token: string): AccountMail {
  return {
    kind: 'verify_email',
    subject: `Confirmez votre adresse électronique — ${sender.organisationName}`,
    text: [
      greeting(firstNames),
      `Vous avez créé un compte sur le portail des démarches de ${sender.organisationName}. Pour l’activer, ouvrez ce lien puis confirmez votre adresse électronique avec le bouton « Confirmer mon adresse » :`,
      link(sender, `/inscription/confirmer?jeton=${token}`),
      'Ce lien est valable 24 heures et ne sert qu’une fois. Une fois l’adresse confirmée, connectez-vous avec votre adresse et votre mot de passe.',
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera activé.',
      sender.organisationName,
    ].join('\n\n'),
  };
}

/** Sent instead of a verification link when the address already has an account. */
export function accountExistsMail(sender: MailSender, firstNames: string | null, resetToken: string): AccountMail {
  return {
    kind: 'account_exists',
    subject: `Vous avez déjà un compte — ${sender.organisationName}`,
    text: [
      greeting(firstNames),
      `Une demande de création de compte a été faite avec votre adresse électronique sur le portail des démarches de ${sender.organisationName}. Un compte existe déjà avec cette adresse : aucun autre compte n’a été créé.`,
      `Pour vous connecter : ${link(sender, '/connexion')}`,
      'Si vous avez oublié votre mot de passe, choisissez-en un nouveau avec ce lien, valable une heure et qui ne sert qu’une fois :',
      link(sender, `/mot-de-passe/nouveau?jeton=${resetToken}`),
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre compte n’a pas changé.',
      sender.organisationName,
    ].join('\n\n'),
  };
}

/** The link that lets a citizen choose a new password. */
export function resetMail(sender: MailSender, firstNames: string | null, token: string): AccountMail {
  return {
    kind: 'reset_password',
    subject: `Choisir un nouveau mot de passe — ${sender.organisationName}`,
    text: [
      greeting(firstNames),
      `Vous avez demandé à choisir un nouveau mot de passe pour votre compte sur le portail des démarches de ${sender.organisationName}. Ouvrez ce lien pour le faire :`,
      link(sender, `/mot-de-passe/nouveau?jeton=${token}`),
      'Ce lien est valable une heure et ne sert qu’une fois.',
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.',
      sender.organisationName,
    ].join('\n\n'),
  };
}

/** Tells the owner of the address that the password changed, in case it was not them. */
export function passwordChangedMail(sender: MailSender, firstNames: string | null): AccountMail {
  return {
    kind: 'password_changed',
    subject: `Votre mot de passe a été modifié — ${sender.organisationName}`,
    text: [
      greeting(firstNames),
      `Le mot de passe de votre compte sur le portail des démarches de ${sender.organisationName} vient d’être modifié. Vos autres connexions ont été fermées.`,
      `Si vous n’êtes pas à l’origine de ce changement, choisissez tout de suite un nouveau mot de passe (${link(sender, '/mot-de-passe-oublie')}) et prévenez la mairie.`,
      sender.organisationName,
    ].join('\n\n'),
  };
}

/**
 * Writes the mail and the job that sends it, in the caller's transaction: the mail leaves if and
 * only if the change it speaks of (a token, a new password) is committed.
 */
export async function queueAccountMail(trx: Executor, organisationId: number, recipient: string, mail: AccountMail, now: string): Promise<number> {
  const mailId = await accountRepository.insertMail(
    trx,
    { organisationId, kind: mail.kind, recipient, subject: mail.subject, bodyText: mail.text, bodyHtml: accessibleHtml(mail.subject, mail.text) },
    now,
  );
  await jobRepository.enqueue(trx, { type: ACCOUNT_MAIL_JOB, payload: { mailId }, runAt: now, dedupeKey: `account_mail:${mailId}` }, now);
  return mailId;
}
