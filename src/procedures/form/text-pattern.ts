/**
 * Compilation of the `pattern` of text fields. Like the HTML `pattern` attribute the
 * expression must match the whole value, so the portal can reuse it unchanged.
 */

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 500;

/** The anchored, Unicode-aware RegExp for `pattern`, or undefined if it does not compile. */
export function compilePattern(pattern: string): RegExp | undefined {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached ?? undefined;
  let compiled: RegExp | null;
  try {
    compiled = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    compiled = null;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled ?? undefined;
}
