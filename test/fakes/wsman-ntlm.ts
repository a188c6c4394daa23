// NTLM in front of a scripted WS-Man conversation, the way http.sys does it: authentication state per
// TCP connection, 401 challenges with an empty body, optional MS-WSMV message encryption.
import { ENCRYPTED_CONTENT_TYPE, NtlmServerContext, isEncryptedContentType, parseAuthorizationHeader, unwrapEncrypted, wrapEncrypted } from '../../src/ntlm/index.ts';
import type { NtlmSession } from '../../src/ntlm/index.ts';
import { messageIdOf, stepOf } from './wsman-replay.ts';
import type { RecordedRequest, ScriptFunction, ScriptedReply } from './wsman-replay.ts';

export interface NtlmFakeOptions {
  users: Record<string, string>;
  /** Refuse plaintext SOAP after NTLM (Windows' default AllowUnencrypted=false). */
  requireEncryption: boolean;
  /** Hostile: rewrite the CHALLENGE_MESSAGE on its way out (a downgrading server or a man in the middle). */
  tamperChallenge?: (type2: Buffer) => Buffer;
}

export interface NtlmFake {
  script: ScriptFunction;
  /** What happened, in order: 'type1@<conn>', 'type3@<conn>', 'setup@<conn>', '<step>:encrypted|plain@<conn>'. */
  events: string[];
  /** Steps of the SOAP requests the inner script answered. */
  steps: string[];
}

interface ConnAuth {
  server?: NtlmServerContext;
  session?: NtlmSession;
  authenticated?: boolean;
}

const challengeReply = (header: string): ScriptedReply => ({ status: 401, headers: { 'WWW-Authenticate': header, 'Content-Type': 'text/plain' }, body: '' });

export function ntlmFront(inner: ScriptedReply[], opts: NtlmFakeOptions): NtlmFake {
  const events: string[] = [];
  const steps: string[] = [];
  let next = 0;

  const answer = (req: RecordedRequest, plain: Buffer, session: NtlmSession | undefined): ScriptedReply => {
    const text = plain.toString('utf8');
    const view: RecordedRequest = { ...req, body: plain, text, step: stepOf(text), messageId: messageIdOf(text) };
    steps.push(view.step ?? '?');
    const scripted = inner[next++] ?? { status: 599, body: 'script exhausted' };
    const raw = typeof scripted.body === 'function' ? scripted.body(view) : scripted.body ?? '';
    const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
    if (!session) return { ...scripted, body };
    return { ...scripted, body: wrapEncrypted(session, body), headers: { ...scripted.headers, 'Content-Type': ENCRYPTED_CONTENT_TYPE } };
  };

  const script: ScriptFunction = (req) => {
    const conn = req.connection.data as Map<string, ConnAuth>;
    const auth = conn.get('ntlm') ?? {};
    conn.set('ntlm', auth);
    const at = `@${req.connection.id}`;
    const header = req.headers.authorization;
    if (header) {
      const token = parseAuthorizationHeader(header);
      if (!token) return challengeReply('Negotiate');
      const type = token.token.readUInt32LE(8);
      if (type === 1) {
        events.push(`type1${at}`);
        auth.server = new NtlmServerContext({ netbiosName: 'SIMHOST', dnsName: 'simhost.sim.test', netbiosDomain: 'SIM', dnsDomain: 'sim.test' });
        auth.authenticated = false;
        const type2 = auth.server.challenge(token.token);
        return challengeReply(`${token.scheme} ${(opts.tamperChallenge ? opts.tamperChallenge(type2) : type2).toString('base64')}`);
      }
      events.push(`type3${at}`);
      const user = auth.server?.authenticate(token.token, (name) => opts.users[name.toLowerCase()]) ?? null;
      if (!user) return challengeReply('Negotiate');
      auth.authenticated = true;
      auth.session = user.session;
      if (req.body.length === 0) {
        events.push(`setup${at}`);
        return { status: 200, body: '' };
      }
    } else if (!auth.authenticated) {
      return challengeReply('Negotiate');
    }
    if (isEncryptedContentType(req.headers['content-type'])) {
      const plain = unwrapEncrypted(auth.session!, req.body);
      events.push(`${stepOf(plain.toString('utf8')) ?? '?'}:encrypted${at}`);
      return answer(req, plain, auth.session);
    }
    events.push(`${req.step ?? '?'}:plain${at}`);
    if (opts.requireEncryption) return { status: 401, headers: { 'WWW-Authenticate': 'Negotiate' }, body: '' };
    return answer(req, req.body, undefined);
  };
  return { script, events, steps };
}
