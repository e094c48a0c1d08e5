import type { ComponentChildren } from 'preact';
import { ErrorSummary } from '../../../http/ui/layout.js';
import type { FieldError } from '../../../http/errors.js';
import { inputIdOf } from '../fields/index.js';
import type { Step } from '../service.js';

/** "Étape 2 sur 5" and the ordered list of the steps, the current one marked for assistive technologies. */
export function Progress({ steps, current }: { steps: Step[]; current: string }) {
  const index = steps.findIndex((s) => s.id === current);
  return (
    <nav class="form-progress" aria-labelledby="form-progress-title">
      <p id="form-progress-title">
        <strong>
          Étape {index + 1} sur {steps.length}
        </strong>
      </p>
      <ol>
        {steps.map((step, i) =>
          i === index ? (
            <li aria-current="step">
              <strong>{step.title}</strong> <span class="sr-only">(étape en cours)</span>
            </li>
          ) : (
            <li>
              {step.title}
              {i < index ? <span class="sr-only"> (étape passée)</span> : null}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

/** The error summary of a step: each message links to its input. */
export function StepErrors({ errors }: { errors: FieldError[] }) {
  return <ErrorSummary problems={errors.map((e) => ({ target: inputIdOf(e.field), message: e.message }))} />;
}

export interface StepFormProps {
  procedure: { slug: string; title: string };
  steps: Step[];
  current: string;
  title: string;
  description?: string | undefined;
  action: string;
  csrf: string;
  multipart: boolean;
  errors: FieldError[];
  /** The page has buttons of its own (add or remove a group item): Enter must still mean "Continuer". */
  hasOwnButtons: boolean;
  first: boolean;
  /** Just saved with "Enregistrer et reprendre plus tard". */
  saved: 'citizen' | 'visitor' | null;
  children: ComponentChildren;
}

/** One step of the form (a page of the procedure or the contact step): progress, fields, navigation. */
export function StepForm(props: StepFormProps) {
  return (
    <>
      <p>
        <a href={`/demarches/${props.procedure.slug}`}>{props.procedure.title}</a>
      </p>
      <StepErrors errors={props.errors} />
      {props.saved ? <SavedNotice who={props.saved} /> : null}
      <Progress steps={props.steps} current={props.current} />
      <h1>{props.title}</h1>
      {props.description ? <p class="lead">{props.description}</p> : null}
      <p class="hint">Les champs sont obligatoires sauf mention contraire.</p>
      <form method="post" action={props.action} novalidate {...(props.multipart ? { enctype: 'multipart/form-data' } : {})}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        {props.hasOwnButtons ? (
          // The first submit button is the one Enter activates: make it "Continuer", out of sight.
          <button type="submit" name="_nav" value="next" hidden>
            Continuer
          </button>
        ) : null}
        {props.children}
        <div class="form-actions">
          <button type="submit" name="_nav" value="next">
            Continuer
          </button>{' '}
          {props.first ? null : (
            <button type="submit" name="_nav" value="back" class="secondary">
              Précédent
            </button>
          )}{' '}
          <button type="submit" name="_nav" value="save" class="secondary">
            Enregistrer et reprendre plus tard
          </button>
        </div>
      </form>
    </>
  );
}

function SavedNotice({ who }: { who: 'citizen' | 'visitor' }) {
  return (
    <div class="notice" role="status">
      <p>
        <strong>Vos réponses sont enregistrées.</strong>
      </p>
      {who === 'citizen' ? (
        <p>
          Vous pourrez reprendre plus tard depuis <a href="/mes-brouillons">Mes brouillons</a>.
        </p>
      ) : (
        <p>
          Elles sont gardées pour ce navigateur : revenez à cette adresse avec le même navigateur pour reprendre, ou{' '}
          <a href="/connexion">connectez-vous</a> depuis ce navigateur pour les retrouver dans votre espace.
        </p>
      )}
    </div>
  );
}
