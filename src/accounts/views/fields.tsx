import type { FieldProblem } from '../../http/ui/layout.js';
import { MIN_PASSWORD_LENGTH } from '../password.js';

/** The problem about one field, if any. */
export const problemFor = (problems: FieldProblem[], id: string) => problems.find((p) => p.target === id);

export interface TextFieldProps {
  id: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete: string;
  value?: string;
  hint?: string;
  problems: FieldProblem[];
  /** Another field's error this one shares (the sign-in refusal concerns both fields). */
  sharedErrorId?: string;
  /** Adds the « Afficher » button (JavaScript only) to a password field. */
  reveal?: boolean;
  /** Digits only (a TOTP code): numeric keyboard on phones, one-time-code autofill. */
  code?: boolean;
}

/**
 * A labelled input with its hint and its error message, both linked by `aria-describedby`, and
 * `aria-invalid` when in error (the pattern the error summary links to).
 */
export function TextField({ id, label, type = 'text', autocomplete, value, hint, problems, sharedErrorId, reveal, code }: TextFieldProps) {
  const problem = problemFor(problems, id);
  const describedBy = [hint ? `${id}-hint` : null, problem ? `${id}-error` : null, sharedErrorId ?? null].filter(Boolean).join(' ');
  return (
    <div class={`field${problem || sharedErrorId ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="sr-only">Erreur : </span>
          {problem.message}
        </p>
      ) : null}
      <input
        // Preact types each input type apart; this one field serves three of them.
        type={type as 'text'}
        id={id}
        name={id}
        autocomplete={autocomplete}
        value={type === 'password' ? undefined : value}
        required
        {...(type === 'email' ? { spellcheck: false, autocapitalize: 'none' } : {})}
        {...(type === 'password' ? { spellcheck: false, autocapitalize: 'none', maxLength: 256 } : { maxLength: type === 'email' ? 254 : 100 })}
        {...(code ? { spellcheck: false, autocapitalize: 'none', maxLength: 7, inputMode: 'numeric', pattern: '[0-9 ]*', size: 8 } : {})}
        {...(reveal ? { 'data-password-reveal': '' } : {})}
        {...(describedBy ? { 'aria-describedby': describedBy } : {})}
        {...(problem || sharedErrorId ? { 'aria-invalid': 'true' } : {})}
      />
    </div>
  );
}

/** The one rule passwords follow, said before typing. */
export const PASSWORD_HINT = `${MIN_PASSWORD_LENGTH} caractères au moins, sans autre contrainte. Une phrase de plusieurs mots, facile à retenir pour vous, est un bon choix.`;

/** The hidden CSRF input every form carries. */
export function Csrf({ value }: { value: string }) {
  return <input type="hidden" name="_csrf" value={value} />;
}
