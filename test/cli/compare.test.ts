import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CompareListResponse, CompareResultsResponse, type CompareModelResult } from '../../daemon/schemas/compare.js';
import { flagFor, perceivedQuality, perceivedSubjects } from '../emulator/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { jpegWithXmp, tinyJpeg } from '../support/images.js';
import { cli, startCli, startTerminal } from './cli.js';

const FAITHFUL = 'gemma3:4b';
const CONTRARIAN = 'llava:7b';
const EYES = { [FAITHFUL]: {}, [CONTRARIAN]: { invert: true } };

const root = mkdtempSync(join(tmpdir(), 'junmai-cli-compare-'));
let folders = 0;
const folder = () => {
  const dir = join(root, `f${++folders}`);
  mkdirSync(dir);
  return dir;
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function daemon(latencyMs = 0): Promise<TestDaemon> {
  t = await startTestDaemon({ installed: [FAITHFUL, CONTRARIAN], emulator: { eyes: EYES, generateLatencyMs: latencyMs } });
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
  return t;
}

interface Xmp {
  rating?: number;
  /** xmpDM:pick: 1, 0 or -1. */
  pick?: number;
  subject?: string[];
  hierarchical?: string[];
}

/** An XMP packet as Lightroom writes one: simple properties as attributes, keyword lists as rdf:Bag. */
function xmpPacket(x: Xmp): string {
  const bag = (name: string, items: string[] | undefined) =>
    items ? `<${name}><rdf:Bag>${items.map((i) => `<rdf:li>${i}</rdf:li>`).join('')}</rdf:Bag></${name}>` : '';
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:xmpDM="http://ns.adobe.com/xmp/1.0/DynamicMedia/"',
    `${x.rating === undefined ? '' : ` xmp:Rating="${x.rating}"`}${x.pick === undefined ? '' : ` xmpDM:pick="${x.pick}"`}>`,
    bag('dc:subject', x.subject),
    bag('lr:hierarchicalSubject', x.hierarchical),
    '</rdf:Description></rdf:RDF></x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

const PICK = { pick: 1, none: 0, reject: -1 } as const;
const typed = (subject: string) => `${subject[0]?.toUpperCase()}${subject.slice(1)}s`;

/**
 * A photo the photographer judged exactly as a model with eyes sees it. The stars and flag are in
 * the JPEG's own XMP, so they change the bytes the model sees: seeds are tried until the embedded
 * stars are the ones seen. The keywords are in a sidecar, which the model never sees.
 */
function judgedPhoto(dir: string, name: string, seed: number): { stars: number; keywords: string[] } {
  for (let s = seed * 1000; ; s++) {
    const stars = 1 + (s % 5);
    const bytes = jpegWithXmp(xmpPacket({ rating: stars, pick: PICK[flagFor(stars)] }), s);
    const base64 = bytes.toString('base64');
    if (perceivedQuality(base64) !== stars) continue;
    writeFileSync(join(dir, `${name}.jpg`), bytes);
    const keywords = perceivedSubjects(base64).map(typed);
    writeFileSync(join(dir, `${name}.xmp`), xmpPacket({ hierarchical: keywords.map((k) => `Subjects|${k}`) }));
    return { stars, keywords };
  }
}

const cells = (line: string) => line.trim().split(/\s{2,}/);
const fixed = (v: number | null, digits = 2) => (v === null ? '-' : v.toFixed(digits));

// Each test starts a daemon and runs the CLI as a child process two or three times.
describe('junmai compare', { timeout: 60_000 }, () => {
  it('reads stars, rejects and keywords from embedded XMP and sidecars, and sends them with each photo', async () => {
    const s = await daemon();
    const dir = folder();
    // Embedded only: stars, and keywords flat and hierarchical (the leaf of each path, once, whatever its case).
    writeFileSync(join(dir, 'IMG_1.jpg'), jpegWithXmp(xmpPacket({ rating: 4, subject: ['Kyoto', 'Temples', '2024'], hierarchical: ['Places|Japan|Kyoto', 'Subjects|Architecture|Temple'] }), 1));
    // Bridge's reject: a rating of -1 is a flag, not stars.
    writeFileSync(join(dir, 'IMG_2.jpeg'), jpegWithXmp(xmpPacket({ rating: -1 }), 2));
    // Both: the sidecar's stars and keywords win; the flag only the JPEG has is kept.
    writeFileSync(join(dir, 'IMG_3.JPG'), jpegWithXmp(xmpPacket({ rating: 5, pick: 1, subject: ['Old'] }), 3));
    writeFileSync(join(dir, 'IMG_3.xmp'), xmpPacket({ rating: 2, subject: ['Harbor'] }));
    // A sidecar as a Windows copy names it, beside a JPEG without XMP; an explicit "no flag".
    writeFileSync(join(dir, 'IMG_4.jpg'), tinyJpeg(4));
    writeFileSync(join(dir, 'IMG_4.XMP'), xmpPacket({ rating: 0, pick: 0 }));
    // Nothing at all: still sent, for speed.
    writeFileSync(join(dir, 'IMG_10.jpg'), tinyJpeg(10));
    // Not photos: left out of the folder.
    writeFileSync(join(dir, 'notes.txt'), 'x');
    writeFileSync(join(dir, 'IMG_1.xmp.bak'), 'x');

    const r = await cli(['--url', s.url, 'compare', dir, '--models', FAITHFUL]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('5 photo(s): 4 with your judgement (2 with stars, 2 picked or rejected, 2 with keywords).');

    const runs = CompareListResponse.parse((await s.req('GET', '/api/compare')).body).runs;
    expect(runs).toHaveLength(1);
    const sent = s.daemon.store.compare.photos(runs[0]!.id).map(({ photo_id, image_path, rating, pick, keywords }) => ({ photo_id, image_path, rating, pick, keywords }));
    const at = (name: string) => join(dir, name);
    expect(sent).toEqual([
      { photo_id: at('IMG_1.jpg'), image_path: at('IMG_1.jpg'), rating: 4, pick: null, keywords: ['Kyoto', 'Temples', '2024', 'Temple'] },
      { photo_id: at('IMG_2.jpeg'), image_path: at('IMG_2.jpeg'), rating: null, pick: 'reject', keywords: null },
      { photo_id: at('IMG_3.JPG'), image_path: at('IMG_3.JPG'), rating: 2, pick: 'pick', keywords: ['Harbor'] },
      { photo_id: at('IMG_4.jpg'), image_path: at('IMG_4.jpg'), rating: 0, pick: 'none', keywords: null },
      { photo_id: at('IMG_10.jpg'), image_path: at('IMG_10.jpg'), rating: null, pick: null, keywords: null },
    ]);
  });

  it('prints the ranking as a table, and --json prints what GET /api/compare/<id> answers', async () => {
    const s = await daemon();
    const dir = folder();
    const photos = Array.from({ length: 12 }, (_, i) => judgedPhoto(dir, `P${i + 1}`, i + 1));
    expect(new Set(photos.map((p) => p.stars)).size).toBeGreaterThan(2);

    const r = await cli(['--url', s.url, 'compare', dir, '--models', `${CONTRARIAN},${FAITHFUL}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runs = CompareListResponse.parse((await s.req('GET', '/api/compare')).body).runs;
    const id = runs[0]!.id;
    const body = CompareResultsResponse.parse((await s.req('GET', `/api/compare/${id}`)).body);
    const result = (m: string) => body.results.find((x) => x.model === m) as CompareModelResult;
    expect(result(FAITHFUL)).toMatchObject({ rank: 1, rating: { photos: 12, spearman: 1, interval_90: { low: 1, high: 1 } }, flags: { kappa: 1 }, keywords: { recall: 1 } });
    expect(result(CONTRARIAN)).toMatchObject({ rank: 2, rating: { photos: 12, spearman: -1 }, keywords: { recall: 0 } });

    const lines = r.stdout.split('\n');
    const flagged = photos.filter((p) => flagFor(p.stars) !== 'none').length;
    expect(flagged).toBeLessThan(12);
    expect(lines[0]).toBe(`12 photo(s): 12 with your judgement (12 with stars, ${flagged} picked or rejected, 12 with keywords).`);
    expect(lines[1]).toBe(`Comparing ${CONTRARIAN}, ${FAITHFUL} on 12 photo(s), one model at a time. Ctrl-C cancels. (run ${id})`);
    // Not a TTY: plain progress lines, never a carriage return, ending at every evaluation done.
    expect(r.stdout).not.toContain('\r');
    expect(lines).toContain('100%  24/24 photo evaluations  (completed)');
    const head = lines.findIndex((l) => l.startsWith('RANK'));
    expect(cells(lines[head] as string)).toEqual(['RANK', 'MODEL', 'ρ STARS (90%)', 'κ FLAGS', 'KEYWORDS', 'S/PHOTO', 'PHOTOS/MIN', 'LOADS']);
    const speed = (m: CompareModelResult) => [fixed(m.speed.warm_p50_seconds), fixed(m.speed.photos_per_minute, 1), '1'];
    const contrarianRho = result(CONTRARIAN).rating.interval_90;
    expect(cells(lines[head + 1] as string)).toEqual(['1', FAITHFUL, '1.00 (1.00 to 1.00)', '1.00', '100%', ...speed(result(FAITHFUL))]);
    expect(cells(lines[head + 2] as string)).toEqual([
      '2', CONTRARIAN, `-1.00 (${fixed(contrarianRho?.low ?? null)} to ${fixed(contrarianRho?.high ?? null)})`, fixed(result(CONTRARIAN).flags.kappa), '0%', ...speed(result(CONTRARIAN)),
    ]);
    expect(body.sample_note).toBeNull();
    expect(lines.slice(head + 3)).toEqual(['', body.summary, '']);
    expect(body.summary).toBe(`${FAITHFUL} agrees best with you: ρ 1.00 on 12 photos (90% interval 1.00 to 1.00).`);

    const j = await cli(['--url', s.url, '--json', 'compare', dir, '--models', FAITHFUL]);
    expect(j.code).toBe(0);
    const printed = JSON.parse(j.stdout) as { run: { id: string } };
    expect(printed.run.id).not.toBe(id);
    expect(printed).toEqual((await s.req('GET', `/api/compare/${printed.run.id}`)).body);
    expect(CompareResultsResponse.parse(printed).run).toMatchObject({ status: 'completed', models: [FAITHFUL], photo_count: 12, model_loads: 1 });
  });

  it('on SIGINT cancels the run, prints what was measured so far and exits 130', async () => {
    const s = await daemon(150);
    const dir = folder();
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `IMG_${i}.jpg`), tinyJpeg(500 + i));
    const p = startCli(['--url', s.url, 'compare', dir, '--models', `${FAITHFUL},${CONTRARIAN}`]);
    p.child.stdin.end();
    await p.waitForOutput(/[1-9]\d*\/40 photo evaluations/, 20_000);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stdout.split('\n')[0]).toBe('20 photo(s): 0 with your judgement (0 with stars, 0 picked or rejected, 0 with keywords).');
    expect(r.stderr).toContain('None of these photos has stars, a flag or keywords in its XMP, so only speed can be compared.');
    expect(r.stderr).toContain('Cancelled the comparison; the results above are from the photos finished before it stopped.');
    const id = CompareListResponse.parse((await s.req('GET', '/api/compare')).body).runs[0]!.id;
    const body = CompareResultsResponse.parse((await s.req('GET', `/api/compare/${id}`)).body);
    expect(body.run.status).toBe('cancelled');
    expect(body.run.progress.done).toBeLessThan(40);
    // The model that never got its turn is in the table with nothing measured.
    expect(r.stdout.split('\n').some((l) => cells(l)[1] === CONTRARIAN && cells(l)[0] === '-')).toBe(true);
    const chats = s.emu.requests.filter((q) => q.path === '/api/chat').length;
    await new Promise((res) => setTimeout(res, 400));
    expect(s.emu.requests.filter((q) => q.path === '/api/chat').length).toBe(chats);
  });

  it('draws a bar counting photo evaluations in a terminal', async () => {
    const s = await daemon();
    const dir = folder();
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `IMG_${i}.jpg`), tinyJpeg(900 + i));
    const r = await startTerminal(['--url', s.url, '--no-color', 'compare', dir, '--models', `${FAITHFUL},${CONTRARIAN}`]).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| 100% | 6/6 photo evaluations  (completed)');
    expect(r.stdout).toMatch(/\r\n {3}[12] {2}gemma3:4b {2}/);
  });

  it('exits 5 when the run is cancelled by someone else, and says so', async () => {
    const s = await daemon(150);
    const dir = folder();
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `IMG_${i}.jpg`), tinyJpeg(700 + i));
    const p = startCli(['--url', s.url, 'compare', dir, '--models', FAITHFUL]);
    p.child.stdin.end();
    await p.waitForOutput(/[1-9]\d*\/10 photo evaluations/, 20_000);
    const id = CompareListResponse.parse((await s.req('GET', '/api/compare')).body).runs[0]!.id;
    expect((await s.req('DELETE', `/api/compare/${id}`, { body: {} })).status).toBe(200);
    const r = await p.done;
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('The comparison was cancelled.');
    expect(r.stderr).not.toContain('Cancelled the comparison;');
  });

  it('refuses a folder without JPEG photos, and a path that is not there, with exit 2', async () => {
    const s = await daemon();
    const dir = folder();
    writeFileSync(join(dir, 'IMG_1.xmp'), xmpPacket({ rating: 3 }));
    const empty = await cli(['--url', s.url, 'compare', dir]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`junmai: There are no JPEG photos in ${dir}. Export the photos you rated from Lightroom as JPEG (with their metadata) into it, or name the photos.`);
    const json = await cli(['--url', s.url, '--json', 'compare', dir]);
    // A usage error, as every command's: said on stderr, stdout left empty.
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    const gone = await cli(['--url', s.url, 'compare', join(dir, 'gone')]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`Could not read ${join(dir, 'gone')}: no such file.`);
    expect(CompareListResponse.parse((await s.req('GET', '/api/compare')).body).runs).toEqual([]);
  });
});
