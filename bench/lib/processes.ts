/**
 * Child processes of the benchmark — servers and the seeder — each with a time limit, their output
 * kept for the error message, and killed when the benchmark ends, fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';

const running = new Set<ChildProcess>();

/** Kills every child still running; called on exit and on SIGINT/SIGTERM. */
export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A free TCP port on 127.0.0.1 (asked to the OS, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Spawned {
  child: ChildProcess;
  /** The last lines the child printed (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
}

function spawnNode(args: string[], env: NodeJS.ProcessEnv, echo: boolean): Spawned {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-8_000);
    if (echo) process.stdout.write(text);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return { child, output: () => tail, exited };
}

/** Runs a Node script to completion within `timeoutMs`, echoing its output; throws on failure. */
export async function runScript(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const proc = spawnNode(args, env, true);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.child.kill('SIGKILL');
  }, timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  if (timedOut) throw new Error(`${args.join(' ')} : arrêté au bout de ${Math.round(timeoutMs / 1000)} s (limite de temps).`);
  if (code !== 0) throw new Error(`${args.join(' ')} : code de sortie ${code}.\n${proc.output()}`);
}

export interface Server {
  name: string;
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a server as a child process on a free port of 127.0.0.1 and waits until `readyPath`
 * answers 200, failing with the child's output if it exits or is not ready in time.
 */
export async function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, readyPath = '/readyz', timeoutMs = 60_000): Promise<Server> {
  const port = await freePort();
  const proc = spawnNode(args, { ...env, PORT: String(port), HOST }, false);
  const url = `http://${HOST}:${port}`;
  const stop = async () => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill('SIGTERM');
    const killer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
    await proc.exited;
    clearTimeout(killer);
  };
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${name} s’est arrêté au démarrage (code ${exitCode}) :\n${proc.output()}`);
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return { name, url, pid: proc.child.pid ?? -1, output: proc.output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`${name} n’est pas prêt au bout de ${timeoutMs / 1000} s :\n${proc.output()}`);
}
