/**
 * A small, strict XML reader for the service tests (no new packages): enough of XML 1.0 to reject a
 * document that is not well-formed (unbalanced or crossed tags, a bare `<` or `&`, an unknown entity,
 * two roots, text outside the root) and to read plists and task definitions. No DTD processing.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  if (text.includes('<')) throw new Error(`bare "<" near offset ${at}`);
  return text.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare "&" near offset ${at}`);
    if (ref in ENTITIES) return ENTITIES[ref] as string;
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (num) return String.fromCodePoint(parseInt(num[1] as string, ref.startsWith('#x') ? 16 : 10));
    throw new Error(`unknown entity "${m}" near offset ${at}`);
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}`);
  };
  const past = (end: string, what: string) => {
    const at = src.indexOf(end, i);
    return at < 0 ? fail(`unterminated ${what}`) : at + end.length;
  };
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))?.[0] ?? '';
      i += ws.length;
      if (src.startsWith('<?', i)) i = past('?>', 'processing instruction');
      else if (src.startsWith('<!--', i)) i = past('-->', 'comment');
      else if (src.startsWith('<!DOCTYPE', i)) i = past('>', 'DOCTYPE');
      else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected an element');
    i++;
    const name = NAME.exec(src.slice(i))?.[0] ?? fail('expected an element name');
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))?.[0] ?? '';
      i += ws.length;
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [] };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (!ws) fail('expected whitespace before an attribute');
      const m = /^([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(src.slice(i)) ?? fail(`malformed attribute in <${name}>`);
      if (m[1] as string in attrs) fail(`duplicate attribute ${m[1]}`);
      attrs[m[1] as string] = decode(m[3] ?? m[4] ?? '', i);
      i += m[0].length;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= src.length) fail(`<${name}> is not closed`);
      if (src.startsWith('</', i)) {
        const close = /^<\/([^\s>]+)\s*>/.exec(src.slice(i)) ?? fail('malformed end tag');
        if (close[1] !== name) fail(`</${close[1]}> closes <${name}>`);
        i += close[0].length;
        return { name, attrs, children };
      }
      if (src.startsWith('<!--', i)) i = past('-->', 'comment');
      else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        children.push(src.slice(i + 9, end));
        i = end + 3;
      } else if (src[i] === '<') children.push(element());
      else {
        const end = src.indexOf('<', i);
        children.push(decode(src.slice(i, end < 0 ? src.length : end), i));
        i = end < 0 ? src.length : end;
      }
    }
  };
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  skipMisc();
  const root = element();
  skipMisc();
  if (i < src.length) fail('content after the root element');
  return root;
}

export const elements = (e: XmlElement) => e.children.filter((c): c is XmlElement => typeof c !== 'string');
export const text = (e: XmlElement) => e.children.filter((c): c is string => typeof c === 'string').join('');

/** Follows a path of element names from `e`, each step the first child of that name. */
export function child(e: XmlElement, ...path: string[]): XmlElement {
  let at = e;
  for (const name of path) {
    const next = elements(at).find((c) => c.name === name);
    if (!next) throw new Error(`<${at.name}> has no <${name}>`);
    at = next;
  }
  return at;
}

export type PlistValue = string | number | boolean | Date | PlistValue[] | { [k: string]: PlistValue };

/** A property list document as a JS value, checking the plist structure (key/value pairs in dicts). */
export function parsePlist(src: string): PlistValue {
  const root = parseXml(src);
  if (root.name !== 'plist') throw new Error(`root is <${root.name}>, not <plist>`);
  const [value, ...rest] = elements(root);
  if (!value || rest.length) throw new Error('<plist> must hold exactly one value');
  return plistValue(value);
}

function plistValue(e: XmlElement): PlistValue {
  switch (e.name) {
    case 'string':
      return text(e);
    case 'integer':
      if (!/^-?\d+$/.test(text(e).trim())) throw new Error(`bad integer "${text(e)}"`);
      return Number(text(e));
    case 'real':
      return Number(text(e));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date':
      return new Date(text(e));
    case 'array':
      return elements(e).map(plistValue);
    case 'dict': {
      const items = elements(e);
      const out: Record<string, PlistValue> = {};
      for (let k = 0; k < items.length; k += 2) {
        const key = items[k] as XmlElement;
        const value = items[k + 1];
        if (key.name !== 'key' || !value) throw new Error('a <dict> must alternate <key> and a value');
        if (text(key) in out) throw new Error(`duplicate key ${text(key)}`);
        out[text(key)] = plistValue(value);
      }
      return out;
    }
    default:
      throw new Error(`<${e.name}> is not a plist value`);
  }
}
