import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** One message as it leaves relman: already rendered and addressed. */
export type OutgoingMail = {
  /** `<id@host>`, fixed when the mail was queued: a repeated delivery is recognisably the same mail. */
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  date: Date;
  /** Extra headers, e.g. which template and cause produced the mail. */
  headers?: Record<string, string> | undefined;
};

export type DeliveryReport = {
  /** Addresses the server accepted the mail for (a maildir: every recipient, kept on this machine). */
  accepted: string[];
  /** Addresses the server refused. */
  rejected: string[];
};

/** Where outbox mail goes: an SMTP server, or a local maildir when none is configured. */
export interface MailTransport {
  /** Recorded on the outbox row: `smtp` or `maildir`. */
  readonly name: 'smtp' | 'maildir';
  /** Resolves once the message was accepted; throws when it was not (the outbox retries). */
  send(mail: OutgoingMail): Promise<DeliveryReport>;
  close(): Promise<void>;
}

export function composerOptions(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    ...(mail.cc.length > 0 ? { cc: mail.cc } : {}),
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    date: mail.date,
    headers: { 'Auto-Submitted': 'auto-generated', ...(mail.headers ?? {}) },
  };
}

/** The message as RFC 5322 bytes (CRLF line ends, headers, quoted-printable or base64 body as needed). */
export async function buildMessage(mail: OutgoingMail): Promise<Buffer> {
  return new MailComposer(composerOptions(mail)).compile().build();
}
