/** Says once per run which database the suite exercises, so a SQLite-only run is never mistaken for both. */
export default function announceDialect(): void {
  const line = process.env.TEST_DATABASE_URL
    ? `[guichet] Tests sur PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}).`
    : '[guichet] Tests sur SQLite. PostgreSQL ignoré : définissez TEST_DATABASE_URL pour le tester aussi.';
  process.stdout.write(`${line}\n`);
}
