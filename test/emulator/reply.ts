import type { ServerResponse } from 'node:http';
import type { LineFault } from './types.js';
import { untilAborted } from './util.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes an answer line by line so that a line fault can cut in at an exact point. A plain JSON
 * body counts as one line, so "after 0 lines" also works on non-streaming routes. Every write
 * resolves false once the client is gone or a fault has taken over, which is how producers
 * (a pull, a generation) learn to stop.
 */
export class Reply {
  private lines = 0;
  private done = false;
  private faultFired = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly fault: LineFault | undefined,
  ) {}

  /** Lines written so far. */
  get sent(): number {
    return this.lines;
  }

  get open(): boolean {
    return !this.done && !this.signal.aborted;
  }

  /** Begin an NDJSON stream; like Gin, the headers leave with the first line. */
  startStream(status = 200): void {
    this.res.statusCode = status;
    this.res.setHeader('Content-Type', 'application/x-ndjson');
  }

  line(value: unknown): Promise<boolean> {
    return this.emit(`${JSON.stringify(value)}\n`);
  }

  /** End a stream, unless a fault armed for exactly this many lines wants the ending. */
  async end(): Promise<void> {
    if (!this.open) return;
    if (this.fault && !this.faultFired && this.lines >= this.fault.afterLines) {
      await this.fire(undefined);
      return;
    }
    this.done = true;
    this.res.end();
  }

  async json(status: number, value: unknown): Promise<void> {
    await this.whole(status, JSON_TYPE, JSON.stringify(value));
  }

  async text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): Promise<void> {
    await this.whole(status, contentType, body);
  }

  /** A bodiless answer, as Gin sends when a handler writes nothing. */
  async empty(status: number): Promise<void> {
    await this.whole(status, '', '');
  }

  private async whole(status: number, contentType: string, body: string): Promise<void> {
    if (!this.open) return;
    if (!this.fault) {
      this.done = true;
      this.res.writeHead(status, { ...(contentType ? { 'Content-Type': contentType } : {}), 'Content-Length': Buffer.byteLength(body) });
      this.res.end(body);
      return;
    }
    this.res.statusCode = status;
    if (contentType) this.res.setHeader('Content-Type', contentType);
    if (await this.emit(body)) await this.end();
  }

  private async emit(chunk: string): Promise<boolean> {
    if (!this.open) return false;
    if (this.fault && !this.faultFired && this.lines >= this.fault.afterLines) return this.fire(chunk);
    await this.write(chunk);
    this.lines += 1;
    return this.open;
  }

  private write(chunk: string): Promise<void> {
    return new Promise((resolve) => {
      if (!this.open) return resolve();
      if (chunk === '') {
        if (!this.res.headersSent) this.res.flushHeaders();
        return resolve();
      }
      this.res.write(chunk, () => resolve());
    });
  }

  private async fire(next: string | undefined): Promise<false> {
    const fault = this.fault as LineFault;
    this.faultFired = true;
    switch (fault.kind) {
      case 'cut':
        // With zero lines no headers have left, which reads as a crash before answering; otherwise the body breaks off.
        this.done = true;
        this.res.socket?.destroy();
        return false;
      case 'stall':
        if (!this.res.headersSent) this.res.flushHeaders();
        this.done = true;
        await untilAborted(this.signal);
        return false;
      case 'errorLine':
        await this.write(`${JSON.stringify({ error: fault.error })}\n`);
        break;
      case 'malformed': {
        const whole = (next ?? '{"status":"success"}').trimEnd();
        await this.write(`${whole.slice(0, Math.max(2, Math.floor(whole.length / 2)))}\n`);
        break;
      }
      case 'endWithoutSuccess':
        break;
    }
    this.done = true;
    this.res.end();
    return false;
  }
}
