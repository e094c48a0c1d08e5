import type { FieldProblem } from '../../../http/ui/layout.js';

/** The hidden CSRF input every form carries. */
export function Csrf({ value }: { value: string }) {
  return <input type="hidden" name="_csrf" value={value} />;
}

export interface FieldProps {
  id: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete: string;
  value?: string;
  hint?: string;
  problems: FieldProblem[];
  /** Another field's error this one shares (a sign-in refusal concerns both fields). */
  sharedErrorId?: string;
  /** Digits only (a TOTP code): numeric keyboard on phones, one-time-code autofill. */
  code?: boolean;
}

/**
 * A labelled input with its hint and error, both linked by `aria-describedby`, and `aria-invalid`
 * when in error: what the error summary's links lead to.
 */
export function Field({ id, label, type = 'text', autocomplete, value, hint, problems, sharedErrorId, code }: FieldProps) {
  const problem = problems.find((p) => p.target === id);
  const describedBy = [hint ? `${id}-hint` : null, problem ? `${id}-error` : null, sharedErrorId ?? null].filter(Boolean).join(' ');
  return (
    <div class={`auth-field${problem || sharedErrorId ? ' auth-field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="auth-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p class="auth-error" id={`${id}-error`}>
          <span class="visually-hidden">Erreur : </span>
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
        spellcheck={false}
        autocapitalize="none"
        maxLength={code ? 7 : type === 'password' ? 256 : 254}
        {...(code ? { inputMode: 'numeric', pattern: '[0-9 ]*', size: 8 } : {})}
        {...(describedBy ? { 'aria-describedby': describedBy } : {})}
        {...(problem || sharedErrorId ? { 'aria-invalid': 'true' } : {})}
      />
    </div>
  );
}

/** A green or neutral notice at the top of a page (signed out, password changed). */
export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p class="flash" role="status">
      {text}
    </p>
  );
}
