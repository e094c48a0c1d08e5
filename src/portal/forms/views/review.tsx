import type { FieldError } from '../../../http/errors.js';
import type { FormPage } from '../../../procedures/form/definition.js';
import { AnswerList, type FieldRenderContext } from '../fields/index.js';
import type { DraftContact, Step } from '../service.js';
import { ErrorSummary } from '../../../http/ui/layout.js';
import { inputIdOf } from '../fields/index.js';
import { Progress } from './step.js';

export interface ReviewProps {
  procedure: { slug: string; title: string; publishesReports?: boolean };
  steps: Step[];
  pages: FormPage[];
  /** Normalised answers of the visible fields. */
  values: Record<string, unknown>;
  context: Pick<FieldRenderContext, 'householdMembers' | 'uploads'>;
  /** Edit link of a step. */
  stepUrl: (step: string) => string;
  action: string;
  csrf: string;
  /** The signed-in citizen (name and e-mail), or null: then `contact` is who asks. */
  signedIn: { displayName: string; email: string | null } | null;
  contact: DraftContact | null;
  errors: FieldError[];
}

export const DECLARATION = 'declaration';

/** Check your answers: every visible page with a "Modifier" link, who asks, the declaration, "Envoyer ma demande". */
export function ReviewPage(props: ReviewProps) {
  const declarationError = props.errors.find((e) => e.field === DECLARATION);
  return (
    <>
      <p>
        <a href={`/demarches/${props.procedure.slug}`}>{props.procedure.title}</a>
      </p>
      <ErrorSummary problems={props.errors.map((e) => ({ target: e.field === DECLARATION ? DECLARATION : inputIdOf(e.field), message: e.message }))} />
      <Progress steps={props.steps} current={props.steps[props.steps.length - 1]!.id} />
      <h1>Vérifiez votre demande avant de l’envoyer</h1>
      {props.pages.map((page) => (
        <section aria-labelledby={`recap-${page.id}`}>
          <h2 id={`recap-${page.id}`}>{page.title}</h2>
          <AnswerList fields={page.fields} values={props.values} context={props.context} />
          <p>
            <a href={props.stepUrl(page.id)}>
              Modifier<span class="sr-only"> : {page.title}</span>
            </a>
          </p>
        </section>
      ))}
      <section aria-labelledby="recap-contact">
        <h2 id="recap-contact">Vos coordonnées</h2>
        <ContactSummary signedIn={props.signedIn} contact={props.contact} />
        {props.signedIn ? null : (
          <p>
            <a href={props.stepUrl('coordonnees')}>
              Modifier<span class="sr-only"> : vos coordonnées</span>
            </a>
          </p>
        )}
      </section>
      {props.procedure.publishesReports ? (
        <section aria-labelledby="public-report">
          <h2 id="public-report">Votre signalement sera public</h2>
          <p>
            La description, le lieu et l’état d’avancement de ce signalement seront publiés dans la liste publique des signalements de la commune
            (Open311), consultée par les applications de signalement. Votre nom et vos coordonnées ne sont jamais publiés : n’en écrivez pas dans la
            description.
          </p>
        </section>
      ) : null}
      <h2>Envoyer la demande</h2>
      <form method="post" action={props.action} novalidate>
        <input type="hidden" name="_csrf" value={props.csrf} />
        {declarationError ? (
          <p id="declaration-error" class="field-error">
            <span class="sr-only">Erreur : </span>
            {declarationError.message}
          </p>
        ) : null}
        <p>
          <input
            type="checkbox"
            id={DECLARATION}
            name={DECLARATION}
            value="oui"
            required
            {...(declarationError ? { 'aria-invalid': 'true', 'aria-describedby': 'declaration-error' } : {})}
          />{' '}
          <label for={DECLARATION} class="declaration-label">
            Je certifie l’exactitude des informations fournies et j’ai pris connaissance du fait qu’une fausse déclaration m’expose à des
            poursuites (article 441-1 du code pénal).
          </label>
        </p>
        <button type="submit">Envoyer ma demande</button>
      </form>
    </>
  );
}

function ContactSummary({ signedIn, contact }: Pick<ReviewProps, 'signedIn' | 'contact'>) {
  if (signedIn) {
    return (
      <p>
        Vous faites cette demande en tant que <strong>{signedIn.displayName}</strong>
        {signedIn.email ? ` ; la réponse vous sera adressée à ${signedIn.email}` : ''}.
      </p>
    );
  }
  if (!contact) return <p>Non renseignées.</p>;
  if (contact.mode === 'anonymous') {
    return <p>Demande anonyme{contact.email ? ` ; l’accusé de réception et le suivi seront envoyés à ${contact.email}` : ', sans adresse électronique : gardez votre code de suivi'}.</p>;
  }
  const c = contact.citizen;
  const address = c['address'] as { line1: string; line2?: string; postcode: string; city: string } | undefined;
  return (
    <dl>
      <dt>Nom</dt>
      <dd>{[c['civility'] === 'Mme' ? 'Madame' : c['civility'] === 'M' ? 'Monsieur' : null, c['firstNames'], c['lastName']].filter(Boolean).join(' ')}</dd>
      {c['email'] ? (
        <>
          <dt>Adresse électronique</dt>
          <dd>{String(c['email'])}</dd>
        </>
      ) : null}
      {c['phone'] ? (
        <>
          <dt>Téléphone</dt>
          <dd>{String(c['phone'])}</dd>
        </>
      ) : null}
      {address ? (
        <>
          <dt>Adresse postale</dt>
          <dd>
            {address.line1}
            {address.line2 ? (
              <>
                <br />
                {address.line2}
              </>
            ) : null}
            <br />
            {address.postcode} {address.city}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
