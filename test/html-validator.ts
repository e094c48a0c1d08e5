import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Nu Html Checker shipped by the `vnu-jar` package (never its downloader script). */
const VNU_JAR = fileURLToPath(new URL('../node_modules/vnu-jar/build/dist/vnu.jar', import.meta.url));

function hasJava(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const validatorAvailable = hasJava() && fs.existsSync(VNU_JAR);
export const validatorSkipReason = `Validation HTML ignorée : ${validatorAvailable ? '' : hasJava() ? `${VNU_JAR} est absent (npm install)` : 'la commande java est absente (apt-get install default-jre-headless)'}.`;

export interface HtmlError {
  line: number | null;
  message: string;
  extract: string;
}

interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url?: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

/**
 * Checks a batch of pages with the Nu Html Checker in ONE Java run (starting the JVM is the slow
 * part) and returns the errors of each page by name; warnings and info messages are ignored.
 * Returns null, with a console warning, when Java or the jar is missing.
 */
export async function validateHtml(pages: { name: string; html: string }[]): Promise<Map<string, HtmlError[]> | null> {
  if (!validatorAvailable) {
    console.warn(validatorSkipReason);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-vnu-'));
  try {
    const files = new Map<string, string>();
    pages.forEach((page, i) => {
      const file = path.join(dir, `page-${i}.html`);
      fs.writeFileSync(file, page.html);
      files.set(file, page.name);
    });
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'java',
        ['-Xss4m', '-jar', VNU_JAR, '--format', 'json', '--exit-zero-always', '--stdout', ...files.keys()],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    const result = new Map<string, HtmlError[]>(pages.map((p) => [p.name, []]));
    const messages = (JSON.parse(output) as { messages: VnuMessage[] }).messages;
    for (const m of messages) {
      if (m.type === 'info') continue;
      const file = m.url ? fileURLToPath(m.url) : '';
      const name = files.get(file) ?? '(validateur)';
      const list = result.get(name) ?? [];
      list.push({ line: m.lastLine ?? null, message: m.message, extract: (m.extract ?? '').trim() });
      result.set(name, list);
    }
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
