import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMarkdown, loadConfig } from './config.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATABASE_URL: '', LOG_LEVEL: 'info', TIMEZONE: 'Europe/Paris' });
    expect(config.DATA_DIR).toBe(path.resolve('./data'));
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('refuses to start with a message naming every bad variable', () => {
    expect(() => loadConfig({ PORT: 'quatre-vingts', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'bavard' })).toThrowError(
      /PORT="quatre-vingts".*\n.*DATABASE_URL="mysql:\/\/x".*le protocole doit être postgres: ou postgresql:\n.*LOG_LEVEL="bavard"/,
    );
    expect(() => loadConfig({ PUBLIC_URL: 'pas une url' })).toThrowError(/PUBLIC_URL/);
  });

  it('keeps the README configuration table in sync with the schema', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const table = readme.split('<!-- config:start -->')[1]?.split('<!-- config:end -->')[0]?.trim();
    expect(table).toBe(configMarkdown());
  });
});
