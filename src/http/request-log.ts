import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when its answer has gone out: request
 * id, method, URL (redacted by the `req` serializer), status and time
 * (docs/operations.md, "Logs"). Fastify's default writes two lines, one when
 * the request arrives and one when it completes; half the lines is half the
 * serializing and writing, the largest cost of a logged read
 * (docs/fast-paths.md, "Request log"). Errors keep Fastify's own lines.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {
    // Logged with its outcome, in requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
