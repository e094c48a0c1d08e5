import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../db/private-files.js';

/**
 * Content-addressed file storage under DATA_DIR/attachments: a file is stored once per content,
 * named by its SHA-256, and synced to disk before we acknowledge it (a case citing it must not
 * outlive its bytes after a power cut). Files and folders are readable by their owner only
 * (citizens' documents).
 */
export class AttachmentStorage {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    try {
      await fs.access(target);
      return sha256;
    } catch {
      // not stored yet
    }
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const temp = path.join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return sha256;
  }

  async read(sha256: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(sha256));
  }
}
