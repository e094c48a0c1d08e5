/** An integer setting of a bench from the environment (BENCH_DURATION…), refused loudly when malformed. */
export function intEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw} : un entier ≥ ${min} est attendu.`);
  return n;
}
