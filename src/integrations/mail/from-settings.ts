import path from 'node:path';
import type { Settings } from '../../config/settings.js';
import { MaildirTransport } from './maildir.js';
import { SmtpTransport } from './smtp.js';
import type { MailTransport } from './transport.js';

/** The folder mail goes to when no SMTP server is configured. */
export const maildirOf = (dataDir: string): string => path.join(dataDir, 'maildir');

/** SMTP when RELMAN_SMTP_HOST is set, otherwise the maildir under the data directory. */
export function mailTransportFrom(settings: Pick<Settings, 'smtp' | 'dataDir'>): MailTransport {
  return settings.smtp ? new SmtpTransport(settings.smtp) : new MaildirTransport(maildirOf(settings.dataDir));
}
