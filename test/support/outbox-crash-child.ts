/**
 * Child process for outbox crash tests: `node --import tsx outbox-crash-child.ts <dir> <step> <digestId>`
 * sends one mail through an `OutboxMailer` into `dir` and kills itself with SIGKILL right after
 * `step` (reserve | write | link), so nothing after that point runs — no `finally`, no cleanup.
 */
import { OutboxMailer, type OutboxStep } from '../../shared/mail/outbox-mailer.js';

const [dir, step, digestId] = process.argv.slice(2);
if (!dir || !step || !digestId) throw new Error('usage: outbox-crash-child.ts <dir> <step> <digestId>');

const mailer = new OutboxMailer({
  dir,
  from: 'alerts@portal.example.jp',
  afterStep: (reached: OutboxStep) => {
    if (reached === step) process.kill(process.pid, 'SIGKILL');
  },
});
await mailer.send({
  to: 'researcher@example.jp',
  subject: '【地域科学技術ポータル】新着 1件',
  text: '次世代半導体研究開発プログラムの公募',
  html: '<p>次世代半導体研究開発プログラムの公募</p>',
  messageId: `<${digestId}@portal.example.jp>`,
});
