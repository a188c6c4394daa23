// One SOAP request in, one SOAP response out: parses the envelope, runs the Remote Shell operation
// against the shell registry and renders the Windows-shaped response or fault (always HTTP 500).
import { ACTION } from './namespaces.ts';
import { commandResponse, createResponse, deleteResponse, receiveResponse, sendResponse, signalResponse } from './envelopes.ts';
import { faultEnvelope, faults, WsmanFault } from './faults.ts';
import {
  parseCommandBody,
  parseCreateBody,
  parseReceiveBody,
  parseRequest,
  parseSendBody,
  parseSignalBody,
  RequestError,
} from './request.ts';
import type { WsmanRequest } from './request.ts';
import type { ShellRegistry } from './shells.ts';

export interface SoapReply {
  status: 200 | 500;
  body: string;
}

export interface OperationContext {
  user: string;
  clientIp: string;
  /** Listener address, used when the request has no a:To. */
  address: string;
  machine: string;
  /** Aborted when the connection goes away: a long-poll then gives up without consuming output. */
  signal: AbortSignal;
}

export async function dispatch(xml: string, ctx: OperationContext, shells: ShellRegistry): Promise<SoapReply> {
  let req: WsmanRequest | undefined;
  try {
    req = parseRequest(xml);
    return { status: 200, body: await operate(req, ctx, shells) };
  } catch (e) {
    const fault =
      e instanceof WsmanFault ? e : e instanceof RequestError ? faults.schemaValidation(e.message) : faults.internalError(String(e), 2147500037);
    return { status: 500, body: faultEnvelope(fault, ctx.machine, req?.messageId) };
  }
}

async function operate(req: WsmanRequest, ctx: OperationContext, shells: ShellRegistry): Promise<string> {
  const rel = req.messageId;
  switch (req.action) {
    case ACTION.create: {
      const shell = shells.create(ctx.user, parseCreateBody(req.body), req.options);
      return createResponse(rel, {
        shellId: shell.id,
        address: req.to ?? ctx.address,
        owner: `${ctx.machine}\\${ctx.user}`,
        clientIp: ctx.clientIp,
        inputStreams: shell.inputStreams,
        outputStreams: shell.outputStreams,
      });
    }
    case ACTION.command: {
      const shell = shells.get(req.shellId);
      return commandResponse(rel, shells.command(shell, parseCommandBody(req.body), req.options));
    }
    case ACTION.send:
      shells.send(shells.get(req.shellId), parseSendBody(req.body));
      return sendResponse(rel);
    case ACTION.receive: {
      const handle = shells.receive(shells.get(req.shellId), parseReceiveBody(req.body), req.operationTimeoutMs, req.maxEnvelopeSize);
      const onAbort = (): void => handle.cancel();
      if (ctx.signal.aborted) onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return receiveResponse(rel, await handle.result);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    }
    case ACTION.signal:
      shells.signal(shells.get(req.shellId), parseSignalBody(req.body));
      return signalResponse(rel);
    case ACTION.delete:
      shells.delete(req.shellId);
      return deleteResponse(rel);
    default:
      throw faults.actionNotSupported(req.action);
  }
}
