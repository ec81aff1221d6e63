import { deflateSync } from 'node:zlib';

/*
 * Tiny but valid images for the evaluation tests and this benchmark (the emulator never decodes
 * them, a real Ollama would). `seed` makes each one's bytes, and so its content hash, different.
 */

/** An 8×8 grey baseline JPEG: one block, DC and AC tables of a single code each, plus a comment carrying the seed. */
export function tinyJpeg(seed = 0): Buffer {
  const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const comment = [...Buffer.from(`junmai test image ${seed}`)];
  const oneCodeTable = (tableClass: number) => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0];
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xfe, comment),
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    ...segment(0xc4, oneCodeTable(0)),
    ...segment(0xc4, oneCodeTable(1)),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    // DC difference 0 (code 0), then end of block (code 0), padded with ones.
    0x3f,
    0xff, 0xd9,
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A 1×1 RGB PNG whose colour comes from `seed`. */
export function tinyPng(seed = 0): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const pixel = Buffer.from([0, seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(pixel)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A baseline JPEG of exactly `size` bytes: tinyJpeg's picture behind APP15 segments of seeded filler, which decoders
 * skip. Large enough to stand in for a full-size export where memory, not the picture, is under test.
 */
export function paddedJpeg(size: number, seed = 0): Buffer {
  const picture = tinyJpeg(seed).subarray(2);
  // Each segment is its marker (2), length (2) and up to 65,533 bytes of filler.
  let room = size - 2 - picture.length;
  if (room < 0 || (room > 0 && room < 4)) throw new Error(`a padded JPEG cannot be ${size} bytes`);
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  let s = (seed * 2654435761 + 1) >>> 0;
  while (room > 0) {
    // Never leave a remainder too small to be a segment of its own.
    let body = Math.min(65533, room - 4);
    if (room - (body + 4) > 0 && room - (body + 4) < 4) body -= 4;
    const segment = Buffer.allocUnsafe(body + 4);
    segment.writeUInt16BE(0xffef, 0);
    segment.writeUInt16BE(body + 2, 2);
    for (let i = 4; i < segment.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      segment[i] = s >>> 24;
    }
    parts.push(segment);
    room -= segment.length;
  }
  parts.push(picture);
  return Buffer.concat(parts, size);
}

/** tinyJpeg carrying an XMP packet in an APP1 segment right after SOI, where Lightroom and exiftool put it. */
export function jpegWithXmp(xmp: string, seed = 0): Buffer {
  const picture = tinyJpeg(seed);
  const body = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(xmp, 'utf8')]);
  if (body.length + 2 > 0xffff) throw new Error('an XMP packet in one APP1 segment is at most 65,533 bytes');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([picture.subarray(0, 2), head, body, picture.subarray(2)]);
}
