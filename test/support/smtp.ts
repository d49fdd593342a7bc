/** A real SMTP server on a loopback port (the smtp-server package) that keeps what it receives. */
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  headers: Record<string, string>;
  messageId: string;
  subject: string;
  /** The body, transfer encoding undone. */
  text: string;
};

/** How the server answers, changeable while it runs. */
export type SmtpRefusals = {
  /** Recipients refused at RCPT TO with 550 (compared case-insensitively). */
  recipients?: string[];
  /** Every message refused at MAIL FROM with this reply code (e.g. 451 try later, 554 refused for good). */
  everything?: number;
};

export type TestSmtp = {
  port: number;
  received: ReceivedMail[];
  /** What the server refuses; empty (accepts everything) unless a test says otherwise. */
  refuse: SmtpRefusals;
  /** Resolves once `n` mails have arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

/** Headers of an RFC 5322 message, unfolded, names lower-cased. */
export function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text = body;
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (cte === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

/** `=?UTF-8?Q?…?=` encoded words of a header, decoded. */
export function decodeHeader(v: string): string {
  return v.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** Starts the server on 127.0.0.1 (on `port`, or a free one); no TLS, no authentication needed. */
export async function startSmtp(port = 0, received: ReceivedMail[] = [], refuse: SmtpRefusals = {}): Promise<TestSmtp> {
  const refusal = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    socketTimeout: 10_000,
    onMailFrom(_address, _session, callback) {
      if (refuse.everything !== undefined) return callback(refusal(refuse.everything, 'refused by the test server'));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if ((refuse.recipients ?? []).some((r) => r.toLowerCase() === address.address.toLowerCase())) {
        return callback(refusal(550, `no such mailbox: ${address.address}`));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parseMessage(raw);
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers,
          messageId: headers['message-id'] ?? '',
          subject: decodeHeader(headers.subject ?? ''),
          text,
        });
        callback();
      });
    },
  });
  const actual = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
  return {
    port: actual,
    received,
    refuse,
    async waitFor(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} mails, got ${received.length} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
