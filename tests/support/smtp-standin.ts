// An SMTP server standing in for the operator's mail relay: it speaks the real protocol
// (smtp-server), requires AUTH, and parses what it receives (mailparser). A wrong password is
// refused with a reply that quotes it, as careless servers do, so masking can be checked.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  mail: ParsedMail;
}
export interface SmtpStandin {
  port: number;
  mails: ReceivedMail[];
  /** Logins tried, right or wrong. */
  logins: number;
  close(): Promise<void>;
}

export async function startSmtpStandin(account: { user: string; password: string }): Promise<SmtpStandin> {
  const mails: ReceivedMail[] = [];
  const state = { logins: 0 };
  const server = new SMTPServer({
    logger: false,
    // Plaintext on loopback only (the channel's security NONE); no STARTTLS offered.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      state.logins++;
      if (auth.username === account.user && auth.password === account.password) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error(`Authentication failed for ${auth.username ?? ''} with password ${auth.password ?? ''}`), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
          mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), mail });
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    get logins() {
      return state.logins;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
