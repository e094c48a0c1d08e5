/**
 * Latency at a given arrival rate (open loop), next to the closed-loop saturation of load.ts.
 *
 * With N connections that each send their next request as soon as the previous one is answered,
 * latency is mostly queueing: p50 ≈ N service times whatever the page costs. What an agent feels is
 * the latency when requests arrive at the rate a town's agents produce them, independently of each
 * other. Here requests arrive as a Poisson process at `rate` per second (exponential gaps), each on
 * a free keep-alive connection (a new one when all are busy, as many browsers would open), and each
 * latency is counted from the request's SCHEDULED time — a late timer or a busy client counts
 * against the server, so the figures have no coordinated omission.
 *
 * autocannon's own `overallRate` is not used: it sends each second's quota in a burst at the start
 * of the second, all connections together, which measures a burst, not a rate.
 */
import http from 'node:http';
import { latencySummary, round, type ScenarioResult, type ScenarioSpec } from './load.js';

export interface RateSettings {
  /** Requests per second, on average. */
  rate: number;
  durationSeconds: number;
  warmupSeconds: number;
}

interface Tally {
  latencies: number[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  failures: string[];
}

function send(agent: http.Agent, spec: ScenarioSpec, scheduledAt: number, tally: Tally): Promise<void> {
  const url = new URL(spec.url + spec.path());
  const body = spec.body?.();
  return new Promise((resolve) => {
    const req = http.request(url, { method: spec.method, headers: spec.headers, agent, timeout: 10_000 }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (status < 200 || status > 299) chunks.push(chunk);
      });
      // A connection cut in the middle of the body: counted as an error, never left waiting.
      res.on('error', (error) => {
        tally.errors++;
        if (tally.failures.length < 3) tally.failures.push(`réponse interrompue : ${error.message}`);
        resolve();
      });
      res.on('end', () => {
        tally.latencies.push(performance.now() - scheduledAt);
        tally.statusCodes[status] = (tally.statusCodes[status] ?? 0) + 1;
        if ((status < 200 || status > 299) && tally.failures.length < 3) tally.failures.push(`${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 600)}`);
        resolve();
      });
    });
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      tally.timeouts++;
      req.destroy(new Error('délai dépassé (10 s)'));
    });
    req.on('error', (error) => {
      if (!timedOut) tally.errors++;
      if (tally.failures.length < 3) tally.failures.push(`erreur de requête : ${error.message}`);
      resolve();
    });
    req.end(body);
  });
}

/** Sends Poisson arrivals at `rate` for `seconds`, then waits for every answer. */
async function runAt(spec: ScenarioSpec, rate: number, seconds: number): Promise<Tally & { seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const tally: Tally = { latencies: [], statusCodes: {}, errors: 0, timeouts: 0, failures: [] };
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const end = start + seconds * 1000;
  let next = start;
  try {
    while (next < end) {
      // Every arrival whose time has come is sent now, stamped with its scheduled time.
      while (next <= performance.now() && next < end) {
        const p = send(agent, spec, next, tally);
        pending.add(p);
        void p.then(() => pending.delete(p));
        next += (-Math.log(1 - Math.random()) / rate) * 1000;
      }
      if (next < end) await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    await Promise.all(pending);
    return { ...tally, seconds: (performance.now() - start) / 1000 };
  } finally {
    agent.destroy();
  }
}

/** Warm-up at the same rate, then measurement. Errors are counted, never thrown. */
export async function measureAtRate(spec: ScenarioSpec, settings: RateSettings): Promise<ScenarioResult> {
  const warm = settings.warmupSeconds > 0 ? await runAt(spec, settings.rate, settings.warmupSeconds) : undefined;
  const run = await runAt(spec, settings.rate, settings.durationSeconds);
  const lat = Float64Array.from(run.latencies).sort();
  const non2xx = (codes: Record<string, number>) => Object.entries(codes).reduce((n, [code, c]) => n + (code.startsWith('2') ? 0 : c), 0);
  return {
    name: `${spec.name} @ ${settings.rate} req/s`,
    method: spec.method,
    example: spec.path(),
    requests: lat.length,
    seconds: round(run.seconds),
    reqPerSec: round((lat.length - non2xx(run.statusCodes)) / settings.durationSeconds, 1),
    latencyMs: latencySummary(lat),
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx: non2xx(run.statusCodes),
    statusCodes: run.statusCodes,
    warmup: { requests: warm?.latencies.length ?? 0, errors: (warm?.errors ?? 0) + (warm?.timeouts ?? 0), non2xx: warm ? non2xx(warm.statusCodes) : 0 },
    failures: [...(warm?.failures ?? []), ...run.failures],
  };
}
