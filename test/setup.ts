import { testDialect } from './db.js';

// Say which database this run exercises, so a green SQLite-only run is never mistaken for both.
const announced = globalThis as { guichetDialectAnnounced?: boolean };
if (!announced.guichetDialectAnnounced) {
  announced.guichetDialectAnnounced = true;
  if (testDialect === 'sqlite' && !process.env.GUICHET_QUIET_DIALECT) {
    process.stdout.write('[guichet] Tests sur SQLite. PostgreSQL ignoré : définissez TEST_DATABASE_URL pour le tester aussi.\n');
  }
}
