import { access } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import exifr from 'exifr';
import { MAX_KEYWORDS } from '../schemas/evaluate.js';
import type { ComparePhoto } from '../schemas/compare.js';

/** What the photographer said about a photo, as far as its XMP tells. */
export type Judgement = Pick<ComparePhoto, 'rating' | 'pick' | 'keywords'>;

/** The schema's own limits on keywords: more or longer would refuse the whole comparison. */
const MAX_PHOTO_KEYWORDS = MAX_KEYWORDS * 4;
const MAX_KEYWORD_LENGTH = 80;

/** exifr's XMP output with mergeOutput off: one object per namespace prefix. */
type Namespaces = Record<string, Record<string, unknown> | undefined>;

/** Only XMP: the EXIF, IPTC and colour blocks say nothing about the photographer's judgement. */
const XMP_ONLY = { xmp: true, tiff: false, exif: false, gps: false, interop: false, ifd1: false, iptc: false, icc: false, jfif: false, ihdr: false, mergeOutput: false } as const;

/**
 * The sidecar Lightroom would write for this file: same name, `.xmp` (Lightroom writes it in lower
 * case; a copy from Windows may have it upper case).
 */
export async function sidecarOf(path: string): Promise<string | undefined> {
  const stem = join(dirname(path), basename(path, extname(path)));
  for (const candidate of [`${stem}.xmp`, `${stem}.XMP`]) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there: try the next spelling
    }
  }
  return undefined;
}

/**
 * The stars, flag and keywords in a photo's embedded XMP and its `.xmp` sidecar. Each field is
 * taken from the sidecar when the sidecar has it: Lightroom writes a sidecar only for files it will
 * not write into (raw files), so a sidecar beside a JPEG belongs to its raw twin, which is where the
 * culling happened; a JPEG's own XMP is what it carried when it was exported, and may be older.
 * A file exifr cannot read yields no judgement (the daemon still says what is wrong with it).
 */
export async function readJudgement(path: string): Promise<Judgement> {
  const sidecar = await sidecarOf(path);
  const [embedded, side] = await Promise.all([
    exifr.parse(path, XMP_ONLY).catch(() => undefined) as Promise<Namespaces | undefined>,
    sidecar === undefined ? undefined : (exifr.sidecar(sidecar, XMP_ONLY, 'xmp').catch(() => undefined) as Promise<Namespaces | undefined>),
  ]);
  const own = judgementOf(embedded ?? {});
  const theirs = judgementOf(side ?? {});
  return {
    ...(own.rating === undefined && theirs.rating === undefined ? {} : { rating: theirs.rating ?? own.rating }),
    ...(own.pick === undefined && theirs.pick === undefined ? {} : { pick: theirs.pick ?? own.pick }),
    ...(own.keywords === undefined && theirs.keywords === undefined ? {} : { keywords: theirs.keywords ?? own.keywords }),
  };
}

/**
 * xmp:Rating is 0–5 stars, or -1 for a rejected photo (as Bridge writes it). The pick flag is
 * xmpDM:pick (1 pick, 0 none, -1 reject) where a culling tool puts it; Lightroom Classic keeps its
 * flags in the catalog, not in XMP, so a photo without either says nothing about picks, which is
 * not the same as "none". xmp:Label is a colour label, not a flag, and is not read.
 */
function judgementOf(ns: Namespaces): Judgement {
  const out: Judgement = {};
  const rating = asInteger(ns.xmp?.Rating);
  if (rating !== undefined && rating >= 0 && rating <= 5) out.rating = rating;
  const pick = asInteger(ns.xmpDM?.pick);
  if (pick === 1) out.pick = 'pick';
  else if (pick === 0) out.pick = 'none';
  if (pick === -1 || rating === -1) out.pick = 'reject';
  const keywords = keywordsOf(ns);
  if (keywords.length > 0) out.keywords = keywords;
  return out;
}

/**
 * dc:subject holds the flat keywords; lr:hierarchicalSubject holds the keyword paths
 * ("Places|Japan|Kyoto"), whose last step is the keyword itself (the steps above it are the
 * photographer's filing, which no model would name). Both, once each, ignoring case.
 */
function keywordsOf(ns: Namespaces): string[] {
  const flat = listOf(ns.dc?.subject);
  const leaves = listOf(ns.lr?.hierarchicalSubject).map((path) => path.split('|').pop() ?? '');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of [...flat, ...leaves]) {
    const k = raw.trim();
    if (k === '' || k.length > MAX_KEYWORD_LENGTH || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out.slice(0, MAX_PHOTO_KEYWORDS);
}

/** exifr unwraps a one-item list and reads "2024" as a number. */
function listOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string' || typeof x === 'number').map(String);
}

function asInteger(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
