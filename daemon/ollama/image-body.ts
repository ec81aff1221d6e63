import { randomUUID } from 'node:crypto';

/**
 * Images inside a JSON request without passing through JSON.stringify. The ollama client stringifies
 * the whole request, a photo's base64 with it (a second 33 MB string for a 25 MB photo, then fetch's
 * UTF-8 copy of that); here each image goes through the client as a short stand-in, and the request
 * is sent in pieces with each image's own bytes where its stand-in was.
 */
export class ImageBody {
  private readonly nonce = randomUUID();
  private readonly images: Buffer[] = [];

  /** The string the client carries in the image's place. */
  standIn(base64: Buffer): string {
    // NUL first: no file has such a name, so the client's check of whether an image string is a path finds none.
    return `\0junmai-image-${this.nonce}-${this.images.push(base64) - 1}`;
  }

  /** fetch's options with the images' bytes in place of their stand-ins; as they were when there are none. */
  rewrite(init: RequestInit | undefined): RequestInit | undefined {
    if (this.images.length === 0 || typeof init?.body !== 'string') return init;
    const text = init.body;
    const pieces: Buffer[] = [];
    let from = 0;
    this.images.forEach((image, i) => {
      // As it appears inside the JSON text: escaped, without its quotes.
      const standIn = JSON.stringify(`\0junmai-image-${this.nonce}-${i}`).slice(1, -1);
      const at = text.indexOf(standIn, from);
      if (at < 0) throw new Error('an image is missing from the request to Ollama');
      pieces.push(Buffer.from(text.slice(from, at)), image);
      from = at + standIn.length;
    });
    pieces.push(Buffer.from(text.slice(from)));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of pieces) controller.enqueue(p);
        controller.close();
      },
    });
    // A streamed body goes out chunked, which Ollama's HTTP server (Go net/http) reads like any other.
    return { ...init, body, duplex: 'half' } as RequestInit;
  }
}
