/**
 * One measured scenario: a warm-up, then a timed autocannon run with a fixed number of
 * connections. Latencies are also recorded here, per response and with sub-millisecond precision
 * (autocannon's own histogram counts whole milliseconds, too coarse for 1–3 ms reads).
 */
import autocannon from 'autocannon';

export interface ScenarioSpec {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** The path of each request; called once per request. */
  path: () => string;
  /** The body of each request (POST); called once per request. */
  body?: () => string;
}

export interface LoadSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface ScenarioResult {
  name: string;
  method: string;
  example: string;
  requests: number;
  seconds: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  warmup: { requests: number; errors: number; non2xx: number };
  /** A few failing answers, for the error message. */
  failures: string[];
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** p50, p90, p99, max and mean of latencies sorted in ascending order (ms, rounded). */
export function latencySummary(sorted: Float64Array): ScenarioResult['latencyMs'] {
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length > 0 ? (sorted[sorted.length - 1] ?? NaN) : NaN),
    mean: round(sorted.length > 0 ? sum / sorted.length : NaN),
  };
}

interface RawRun {
  result: autocannon.Result;
  latencies: Float64Array;
  failures: string[];
}

async function runOnce(spec: ScenarioSpec, connections: number, seconds: number, keepLatencies: boolean): Promise<RawRun> {
  const failures: string[] = [];
  const request: autocannon.RequestSpec = {
    method: spec.method,
    headers: spec.headers,
    setupRequest: (req) => ({ ...req, path: spec.path(), ...(spec.body ? { body: spec.body() } : {}) }),
  };
  // Response bodies are only collected where they are small (POST receipts); GET failures are
  // diagnosed afterwards by replaying one request.
  if (spec.method === 'POST') {
    request.onResponse = (status, body) => {
      if ((status < 200 || status > 299) && failures.length < 3) failures.push(`${status} ${body.slice(0, 600)}`);
    };
  }
  const instance = autocannon({ url: spec.url, connections, duration: seconds, timeout: 10, requests: [request], title: spec.name });
  let latencies = new Float64Array(keepLatencies ? 65_536 : 0);
  let count = 0;
  if (keepLatencies) {
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
  }
  instance.on('reqError', (error) => {
    if (failures.length < 3) failures.push(`erreur de requête : ${error.message}`);
  });
  // Bounded: autocannon stops itself at `seconds`; this stops it if it does not.
  const guard = setTimeout(() => instance.stop(), (seconds + 30) * 1000);
  try {
    const result = await instance;
    return { result, latencies: latencies.slice(0, count).sort(), failures };
  } finally {
    clearTimeout(guard);
  }
}

/** Warm-up, then measurement. Errors are counted, never thrown: the caller decides to fail. */
export async function measure(spec: ScenarioSpec, settings: LoadSettings): Promise<ScenarioResult> {
  const warm = settings.warmupSeconds > 0 ? await runOnce(spec, settings.connections, settings.warmupSeconds, false) : undefined;
  const run = await runOnce(spec, settings.connections, settings.durationSeconds, true);
  const r = run.result;
  const lat = run.latencies;
  const failures = [...(warm?.failures ?? []), ...run.failures];
  const non2xx = r.non2xx;
  if (failures.length === 0 && (non2xx > 0 || (warm?.result.non2xx ?? 0) > 0) && spec.method === 'GET') {
    const res = await fetch(spec.url + spec.path(), { headers: spec.headers, signal: AbortSignal.timeout(10_000) });
    failures.push(`(requête rejouée) ${res.status} ${(await res.text()).slice(0, 600)}`);
  }
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(stat.count);
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    name: spec.name,
    method: spec.method,
    example: spec.path(),
    requests: total,
    seconds: round(r.duration, 2),
    reqPerSec: round(total / r.duration, 1),
    latencyMs: latencySummary(lat),
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx,
    statusCodes,
    warmup: { requests: warm ? Object.values(warm.result.statusCodeStats ?? {}).reduce((a, s) => a + Number(s.count), 0) : 0, errors: warm?.result.errors ?? 0, non2xx: warm?.result.non2xx ?? 0 },
    failures,
  };
}

/** True when the scenario (warm-up included) had no error, no timeout and only 2xx answers. */
export const isClean = (r: ScenarioResult) => r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && r.warmup.errors === 0 && r.warmup.non2xx === 0;
