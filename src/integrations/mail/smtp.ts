import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { SmtpSettings } from '../../config/settings.js';
import { composerOptions, type DeliveryReport, type MailTransport, type OutgoingMail } from './transport.js';

/**
 * Sends through an SMTP server with nodemailer: implicit TLS (`secure`), or a
 * plain connection that STARTTLS upgrades (required when `requireStartTls`),
 * optional AUTH. One connection per message; the outbox sends few mails.
 */
export class SmtpTransport implements MailTransport {
  readonly name = 'smtp' as const;
  readonly #transporter: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(settings: SmtpSettings, timeouts: { connectMs?: number; socketMs?: number } = {}) {
    this.#transporter = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireStartTls,
      ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.password } } : {}),
      tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
      connectionTimeout: timeouts.connectMs ?? 15_000,
      greetingTimeout: timeouts.connectMs ?? 15_000,
      socketTimeout: timeouts.socketMs ?? 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<DeliveryReport> {
    const info = await this.#transporter.sendMail({
      ...composerOptions(mail),
      envelope: { from: envelopeSender(mail.from), to: [...mail.to, ...mail.cc] },
    });
    const address = (r: string | { address: string }) => (typeof r === 'string' ? r : r.address);
    return { accepted: info.accepted.map(address), rejected: info.rejected.map(address) };
  }

  close(): Promise<void> {
    this.#transporter.close();
    return Promise.resolve();
  }
}

/** The bare address of `Name <address>`. */
export function envelopeSender(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m?.[1] ?? from).trim();
}
