import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { AppError } from '../errors.js';

export type ImageFormat = 'jpeg' | 'png' | 'tiff' | 'webp';

export interface LoadedImage {
  /** The image's base64 text, as bytes: built once, and sent to Ollama as it is. */
  base64: Buffer;
  format: ImageFormat;
  sha256: string;
}

/**
 * An image checked and identified (format, size, content hash) without being held: an evaluation
 * waiting for an Ollama slot keeps this, and reads the bytes with load() once it has the slot, so
 * that memory grows with the slots, not with the queue.
 */
export interface ImageRef {
  format: ImageFormat;
  size: number;
  sha256: string;
  load(): Promise<LoadedImage>;
}

/**
 * The image's own first bytes decide, never its name: a text file renamed .jpg is refused before
 * any of it leaves the daemon, so /api/evaluate cannot be used to send other files anywhere.
 */
export function sniffImage(head: Uint8Array): ImageFormat | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, j) => head[i + j] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  // Little- and big-endian TIFF, classic (42) and BigTIFF (43).
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return 'tiff';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  return undefined;
}

const HEAD_BYTES = 16;
/** A multiple of 3, so that each piece encodes to base64 on its own with no padding in the middle. */
const CHUNK_BYTES = 3 * 256 * 1024;

/** Also a multiple of 3; its base64 (64 KiB) is below V8's largest ordinary object (128 KiB). */
const ENCODE_BYTES = 3 * 16 * 1024;

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

const notImage = (what: string) =>
  new AppError('UNSUPPORTED_IMAGE', `${what} is not a JPEG, PNG, TIFF or WebP image. Export the photo as JPEG and try again.`);

const tooLarge = (bytes: number | undefined, max: number) =>
  new AppError(
    'IMAGE_TOO_LARGE',
    `The image is ${bytes === undefined ? 'larger than' : `${mb(bytes)} MB; the limit is`} ${mb(max)} MB. Export it smaller (2048 pixels on the long edge is plenty for evaluation), or raise JUNMAI_EVAL_MAX_IMAGE_BYTES.`,
    { max_bytes: max, ...(bytes === undefined ? {} : { bytes }) },
  );

const mb = (n: number) => (n / 1048576).toFixed(1);

function fileError(err: unknown): AppError {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AppError('IMAGE_NOT_FOUND', 'There is no image file at that path. Check that the export finished and the file was not moved.');
  if (code === 'EISDIR') return notImage('That path is a folder: it');
  if (code === 'EACCES' || code === 'EPERM') return new AppError('IMAGE_UNREADABLE', 'The daemon is not allowed to read that image file. Check its permissions.');
  return new AppError('IMAGE_UNREADABLE', `The image file could not be read${code ? ` (${code})` : ''}.`);
}

function ensureRegular(s: { isFile(): boolean; isDirectory(): boolean }): void {
  if (s.isDirectory()) throw notImage('That path is a folder: it');
  // Devices, FIFOs and sockets: opening or reading some of them has effects or never ends.
  if (!s.isFile()) throw notImage('That path is not a regular file: it');
}

/**
 * Reads an image file the client names. Checked before it is opened (so a device or FIFO is never
 * opened), again on the open handle (so a path swapped in between is caught), then by size and
 * by its first bytes before the rest is read. Errors say what is wrong with the file, never what
 * is in it. The content is hashed as it goes by, through one reused piece of memory; with `encode`,
 * each piece is also written as base64 into a buffer sized once from the file's size, so a photo is
 * never held whole as bytes and its text is never built twice.
 */
async function scanImageFile(path: string, maxBytes: number, encode: boolean): Promise<{ base64: Buffer | undefined; format: ImageFormat; size: number; sha256: string }> {
  try {
    ensureRegular(await stat(path));
  } catch (err) {
    throw err instanceof AppError ? err : fileError(err);
  }
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should a FIFO be swapped in after the check, opening it must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    throw fileError(err);
  }
  try {
    const st = await handle.stat();
    ensureRegular(st);
    if (st.size > maxBytes) throw tooLarge(st.size, maxBytes);
    const hash = createHash('sha256');
    // A small file is read whole in one call; one byte more than its size shows it ended there.
    const piece = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, 3 * Math.ceil((st.size + 1) / 3)));
    const out = encode ? Buffer.allocUnsafe(base64Length(st.size)) : undefined;
    let total = 0;
    let written = 0;
    let format: ImageFormat | undefined;
    // Read to the end rather than trusting the size: a file still being written may have grown.
    for (let eof = false; !eof; ) {
      const got = await fill(handle, piece, total);
      eof = got.length < piece.length;
      if (got.length === 0) break;
      if (total === 0 && !(format = sniffImage(got.subarray(0, HEAD_BYTES)))) throw notImage('That file');
      total += got.length;
      if (total > maxBytes) throw tooLarge(undefined, maxBytes);
      hash.update(got);
      if (out) {
        // Grown since its size was read: what is sent would not be what was identified.
        if (written + base64Length(got.length) > out.length) throw changedWhileWaiting();
        // In slices whose text stays a young object the next minor collection takes back: a piece's
        // text in one string would go to the large-object space, and 25 MB of them would wait for a full one.
        for (let at = 0; at < got.length; at += ENCODE_BYTES) written += out.write(got.toString('base64', at, at + ENCODE_BYTES), written, 'latin1');
      }
    }
    if (!format) throw notImage('That file');
    return { base64: out?.subarray(0, written), format, size: total, sha256: hash.digest('hex') };
  } catch (err) {
    throw err instanceof AppError ? err : fileError(err);
  } finally {
    // Not awaited: nothing waits on a read-only handle's close, and the photo need not wait for it either.
    void handle.close().catch(() => undefined);
  }
}

/** Reads into `piece` until it is full or the file ends: a regular file only comes short at its end. */
async function fill(handle: FileHandle, piece: Buffer, position: number): Promise<Buffer> {
  let filled = 0;
  while (filled < piece.length) {
    const want = piece.length - filled;
    const { bytesRead } = await handle.read(piece, filled, want, position + filled);
    filled += bytesRead;
    // A short read is the end of the file as it is now: asking again would cost a round trip for nothing.
    if (bytesRead < want) break;
  }
  return piece.subarray(0, filled);
}

const changedWhileWaiting = () =>
  new AppError('IMAGE_UNREADABLE', 'The image file changed while it waited for its turn. Export it again and evaluate it once the export has finished.');

/**
 * An image file identified now and read when its evaluation gets a slot; a file changed in between
 * is refused. An evaluation that holds a slot already (`holdsSlot`) has it read once, now.
 */
export async function imageFileRef(path: string, maxBytes: number, holdsSlot = false): Promise<ImageRef> {
  const { base64, format, size, sha256 } = await scanImageFile(path, maxBytes, holdsSlot);
  return {
    format, size, sha256,
    load: async () => {
      if (base64) return { base64, format, sha256 };
      const image = await scanImageFile(path, maxBytes, true);
      if (image.sha256 !== sha256) throw changedWhileWaiting();
      return { base64: image.base64 as Buffer, format: image.format, sha256 };
    },
  };
}

const DATA_URL = /^data:[\w.+/-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An image sent inline. Checked for size before it is decoded, and by its first bytes like a file. */
export function decodeImageBase64(input: string, maxBytes: number): { bytes: Buffer; format: ImageFormat; sha256: string } {
  const prefix = DATA_URL.exec(input.slice(0, 128));
  const body = (prefix ? input.slice(prefix[0].length) : input).replace(/\s+/g, '');
  if (body.length % 4 === 1 || !BASE64.test(body)) {
    throw new AppError('IMAGE_UNREADABLE', 'image_base64 is not valid base64. Send the image file\'s bytes in standard base64.');
  }
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const size = Math.floor((body.length * 3) / 4) - padding;
  if (size > maxBytes) throw tooLarge(size, maxBytes);
  const bytes = Buffer.from(body, 'base64');
  const format = sniffImage(bytes.subarray(0, HEAD_BYTES));
  if (!format) throw notImage('image_base64');
  return { bytes, format, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** An inline image identified now and decoded again when its evaluation gets a slot: the request already holds its text. */
export function imageBase64Ref(input: string, maxBytes: number): ImageRef {
  const { bytes, format, sha256 } = decodeImageBase64(input, maxBytes);
  // Encoded again from the bytes rather than taken from the input, which may carry a data: prefix or line breaks.
  return { format, size: bytes.length, sha256, load: async () => ({ base64: Buffer.from(decodeImageBase64(input, maxBytes).bytes.toString('base64'), 'latin1'), format, sha256 }) };
}
