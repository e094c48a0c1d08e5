/** The printed table and the JSON file of one benchmark run on one database. */
import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioResult } from './load.js';
import { isClean } from './load.js';

export const INTAKE_FLOOR_TARGET = 0.25;
export const LIST_P99_TARGET_MS = 25;

export interface DialectReport {
  dialect: 'sqlite' | 'postgres';
  ok: boolean;
  generatedAt: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; os: string };
  database: { engine: string; version: string; sizeBytes: number; location: string };
  settings: { cases: number; durationSeconds: number; warmupSeconds: number; connections: number };
  dataset: { fromCache: boolean; seedSeconds: number; seededAt: string; casesInDatabase: number };
  lists: Record<string, { query: string; matchingCases: number }>;
  scenarios: ScenarioResult[];
  intakeOverFloor: number;
  verdicts: { intakeOverFloor: { value: number; target: number; met: boolean }; listP99: { scenario: string; p99Ms: number; targetMs: number; met: boolean }[] };
}

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));
const num = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');

export function renderTable(report: DialectReport): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors/non-2xx', 'check'];
  const rows = report.scenarios.map((s) => {
    const failures = s.errors + s.timeouts + s.non2xx + s.warmup.errors + s.warmup.non2xx;
    const listVerdict = report.verdicts.listP99.find((v) => v.scenario === s.name);
    let check = isClean(s) ? 'ok' : 'FAIL';
    if (listVerdict) check += listVerdict.met ? `, p99 ≤ ${listVerdict.targetMs} ms` : `, p99 > ${listVerdict.targetMs} ms (MISSED)`;
    if (s.name === 'create case') check += `, ${num(report.intakeOverFloor * 100, 1)} % of floor`;
    return [s.name, num(s.reqPerSec), num(s.latencyMs.p50, 2), num(s.latencyMs.p99, 2), String(s.requests), String(failures), check];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => pad(c, widths[i] ?? 0, i >= 1 && i <= 5)).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (i >= 1 && i <= 5 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  const v = report.verdicts;
  return [
    `### ${report.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${report.database.version} — ${report.dataset.casesInDatabase.toLocaleString('en-US')} cases, ${report.settings.connections} connections, ${report.settings.durationSeconds} s per scenario (+${report.settings.warmupSeconds} s warm-up)`,
    '',
    line(header),
    sep,
    ...rows.map(line),
    '',
    `intake ÷ floor = ${num(v.intakeOverFloor.value * 100, 1)} % (target ≥ ${v.intakeOverFloor.target * 100} %) → ${v.intakeOverFloor.met ? 'met' : 'MISSED'}`,
    ...v.listP99.map((l) => `${l.scenario}: p99 ${num(l.p99Ms, 2)} ms (target ≤ ${l.targetMs} ms) → ${l.met ? 'met' : 'MISSED'}`),
    ...Object.entries(report.lists).map(([name, l]) => `  ${name}: ${l.query} — ${l.matchingCases.toLocaleString('en-US')} matching cases`),
    report.ok ? '' : 'FAILED: some requests failed (see above); the figures are not valid.',
  ].join('\n');
}

export function writeReport(dir: string, report: DialectReport, defaultCases: number, sizeLabel: string): string {
  fs.mkdirSync(dir, { recursive: true });
  // Runs on another dataset size (quick runs) do not overwrite the reference figures.
  const suffix = report.settings.cases === defaultCases ? '' : `-${sizeLabel}`;
  const file = path.join(dir, `latest-${report.dialect}${suffix}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
