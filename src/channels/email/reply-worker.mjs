/**
 * The worker thread of reply extraction (reply-extraction.ts). Plain JavaScript on purpose: a worker
 * thread does not inherit the tsx loader registered by bin/guichet.js, nor Vitest's transform, so a
 * file Node runs as it is works the same under `guichet serve`, the tests and the CLI.
 *
 * email-reply-parser runs backtracking regular expressions that can take minutes on a crafted
 * line; here they can only stall this thread, which the main thread terminates at its time limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import EmailReplyParser from 'email-reply-parser';

// Parsing is background work: on Linux this thread (its own task id) gets a lower priority than the
// thread serving HTTP, not the lowest (a parse starved of CPU would hit its time limit on a busy
// machine). Best effort — elsewhere, or when refused, it runs at the usual priority.
try {
  const threadId = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (threadId > 0) os.setPriority(threadId, os.constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // not Linux, or not allowed
}

parentPort.on('message', ({ id, text }) => {
  try {
    const email = new EmailReplyParser().read(text);
    const fragments = email.getFragments().filter((fragment) => !fragment.isEmpty());
    // Whether the text ends inside quoted history: the caller then knows that what follows a cut is history too.
    const endsQuoted = fragments.length > 0 && fragments[fragments.length - 1].isQuoted();
    parentPort.postMessage({ id, visible: email.getVisibleText(), endsQuoted });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
