/**
 * Paths used in definition errors: `pages[1].fields[2].visibleWhen.field`, i.e. what an
 * editor of the JSON would type to reach the faulty value.
 */

/** Appends a property name or an array index to a path. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Converts a JSON pointer relative to `base` (`/options/0/value`) into a path. */
export function pointerToPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<string>((path, segment) => childPath(path, /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment), base);
}

/** Last property name of a path, ignoring array indexes (`options[2].value` → `value`). */
export function lastKey(path: string): string {
  const withoutIndexes = path.replace(/\[\d+\]/g, '');
  return withoutIndexes.slice(withoutIndexes.lastIndexOf('.') + 1);
}
