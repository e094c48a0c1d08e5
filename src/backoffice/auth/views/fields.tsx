/**
 * The sign-in and account fields are the portal's (`src/accounts/views/fields.tsx`): one accessible
 * pattern for labels, hints and errors across Guichet.
 */
export { Csrf, TextField as Field } from '../../../accounts/views/fields.js';

/** A green or neutral notice at the top of a page (signed out, password changed). */
export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p class="flash" role="status">
      {text}
    </p>
  );
}
