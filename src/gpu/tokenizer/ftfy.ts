// ftfy.fix_text (ftfy 6, default settings) in TypeScript: what CLIP's tokenizer runs on a prompt before BPE
// (openai/CLIP's basic_clean, transformers' slow CLIPTokenizer with ftfy installed). A port of ftfy's
// __init__.py (fix_text, fix_and_explain, the one-step encoding fixer) and fixes.py over the tables in
// ftfy-data.ts, which scripts/goldens/ftfy_data.py takes from ftfy itself. test/gpu/goldens/clip-tokenizer.json
// holds ftfy's own output on the hard cases.
import { FTFY_DATA as D } from './ftfy-data.js';

const latin1 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
};
const fromLatin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

interface Charmap {
  allowed: Set<string>;
  encode: Map<string, number>;
  decode: string[];
}

const CHARMAPS = new Map<string, Charmap>();
for (const enc of D.charmapEncodings) {
  const decode = Array.from(D.charmaps[enc]!);
  const encode = new Map<string, number>();
  for (let b = 255; b >= 0; b--) encode.set(decode[b]!, b); // lowest byte wins, like charmap_build
  // ftfy's possible_encoding: ASCII less 0x1A, plus what bytes 0x80–0xFF and 0x1A decode to
  const allowed = new Set<string>();
  for (let b = 0; b < 0x80; b++) if (b !== 0x1a) allowed.add(String.fromCharCode(b));
  for (let b = 0x80; b < 0x100; b++) allowed.add(decode[b]!);
  allowed.add(decode[0x1a]!);
  CHARMAPS.set(enc, { allowed, encode, decode });
}

const BADNESS_RE = new RegExp(D.badness, 'u');
const UTF8_DETECTOR_RE = new RegExp(D.utf8Detector, 'gu');
const HTML_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;
const C1_CONTROL_RE = /[\x80-\x9f]/g;
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const ANSI_RE = /\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu;
const LONE_SURROGATE_RE = /[\ud800-\udfff]/gu;
// byte patterns, over bytes held as a latin-1 string
const ALTERED_UTF8_RE =
  /[\xc2\xc3\xc5\xce\xd0\xd9][ ]|[\xe2\xe3][ ][\x80-\x84\x86-\x9f\xa1-\xbf]|[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf][ ]|[\xf0][ ][\x80-\xbf][\x80-\xbf]|[\xf0][\x80-\xbf][ ][\x80-\xbf]|[\xf0][\x80-\xbf][\x80-\xbf][ ]/g;
const A_GRAVE_WORD_RE = /\xc3 (?! |quele|quela|quilo|s )/g;
const LOSSY_UTF8_RE =
  /[\xc2-\xdf][\x1a]|[\xc2-\xc3][?]|\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]|\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]|[\xe0-\xef][\x1a?][\x1a\x80-\xbf]|[\xe0-\xef][\x1a\x80-\xbf][\x1a?]|[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]|\x1a/g;
const CESU8_OR_NULL_RE = /\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]|\xc0\x80/g;

const LIGATURES = new Map(Object.entries(D.ligatures));
const WIDTH = new Map(Object.entries(D.widthMap));
const CONTROL = new Set(D.controlChars);
const INVALID_CODEPOINTS = new Set(D.invalidCodepoints);
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const isBad = (text: string): boolean => BADNESS_RE.test(text);
const possible = (text: string, enc: string): boolean => {
  const allowed = CHARMAPS.get(enc)!.allowed;
  for (const c of text) if (!allowed.has(c)) return false;
  return true;
};
const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);

/** Python's html.unescape on one numeric character reference "&#…;" (undefined when it is not one). */
function numericCharref(ref: string): string | undefined {
  const m = /^&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));$/.exec(ref);
  if (!m) return undefined;
  const num = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
  const fixed = D.invalidCharrefs[String(num)];
  if (fixed !== undefined) return fixed;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (INVALID_CODEPOINTS.has(num)) return '';
  return String.fromCodePoint(num);
}

function unescapeHtml(text: string): string {
  return text.replace(HTML_ENTITY_RE, (ent) => {
    const named = D.htmlEntities[ent];
    if (named !== undefined) return named;
    if (ent.startsWith('&#')) {
      const u = numericCharref(ent);
      // html.unescape leaves a reference it cannot read (then a ";" is still there): keep the text
      return u === undefined || u.includes(';') ? ent : u;
    }
    return ent;
  });
}

/** ftfy's "utf-8-variants": UTF-8 that also accepts CESU-8 surrogate pairs and Java's C0 80 for U+0000. */
function decodeUtf8Variants(bytes: Uint8Array): string {
  const s = latin1(bytes);
  let out = '';
  let last = 0;
  for (const m of s.matchAll(CESU8_OR_NULL_RE)) {
    out += UTF8.decode(fromLatin1(s.slice(last, m.index)));
    const b = fromLatin1(m[0]);
    if (b.length === 2) out += '\0';
    else {
      const hi = 0xd000 | ((b[1]! & 0x3f) << 6) | (b[2]! & 0x3f);
      const lo = 0xd000 | ((b[4]! & 0x3f) << 6) | (b[5]! & 0x3f);
      out += String.fromCharCode(hi, lo);
    }
    last = m.index! + m[0].length;
  }
  return out + UTF8.decode(fromLatin1(s.slice(last)));
}

function restoreByteA0(bytes: string): string {
  return bytes.replace(A_GRAVE_WORD_RE, '\xc3\xa0 ').replace(ALTERED_UTF8_RE, (m) => m.replace(/ /g, '\xa0'));
}

function fixC1Controls(text: string): string {
  const sloppy = CHARMAPS.get('sloppy-windows-1252')!.decode;
  return text.replace(C1_CONTROL_RE, (c) => sloppy[c.charCodeAt(0)]!);
}

function fixEncodingOneStep(text: string): string {
  if (text.length === 0 || isAscii(text) || !isBad(text)) return text;
  const possibleEncodings: string[] = [];
  for (const enc of D.charmapEncodings) {
    if (!possible(text, enc)) continue;
    possibleEncodings.push(enc);
    const map = CHARMAPS.get(enc)!.encode;
    let bytes = '';
    for (const c of text) bytes += String.fromCharCode(map.get(c)!);
    if (enc !== 'macroman' && new RegExp(ALTERED_UTF8_RE.source).test(bytes)) bytes = restoreByteA0(bytes);
    if (enc.startsWith('sloppy')) bytes = bytes.replace(LOSSY_UTF8_RE, '\xef\xbf\xbd');
    try {
      const raw = fromLatin1(bytes);
      return raw.includes(0xed) || raw.includes(0xc0) ? decodeUtf8Variants(raw) : UTF8.decode(raw);
    } catch {
      /* not UTF-8 in this encoding: try the next */
    }
  }
  if (new RegExp(UTF8_DETECTOR_RE.source, 'u').test(text)) {
    const fixed = text.replace(UTF8_DETECTOR_RE, (sub) => (sub.length < text.length && isBad(sub) ? fixEncoding(sub) : sub));
    if (fixed !== text) return fixed;
  }
  if (possibleEncodings.includes('latin-1')) {
    // ftfy checks for "windows-1252" among the sloppy names, which never matches: so this always runs
    let fixed = '';
    let ok = true;
    for (const c of text) {
      const d = D.windows1252[c.charCodeAt(0)];
      if (d === null || d === undefined) {
        ok = false;
        break;
      }
      fixed += d;
    }
    if (ok && fixed !== text) return fixed;
  }
  if (/[\x80-\x9f]/.test(text)) return fixC1Controls(text);
  return text;
}

/** ftfy.fix_encoding: undo mojibake (UTF-8 read as a one-byte encoding), repeatedly. */
export function fixEncoding(text: string): string {
  for (;;) {
    const next = fixEncodingOneStep(text);
    if (next === text) return text;
    text = next;
  }
}

const translate = (text: string, map: Map<string, string>): string => {
  let out = '';
  for (const c of text) out += map.get(c) ?? c;
  return out;
};

function fixSegment(text: string, unescape: boolean): string {
  for (;;) {
    const orig = text;
    if (unescape) text = unescapeHtml(text);
    text = fixEncoding(text);
    text = fixC1Controls(text);
    text = translate(text, LIGATURES);
    text = translate(text, WIDTH);
    text = text.replace(DOUBLE_QUOTE_RE, '"').replace(SINGLE_QUOTE_RE, "'");
    text = text.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\u0085]/g, '\n');
    text = text.replace(LONE_SURROGATE_RE, '\ufffd');
    text = text.replace(ANSI_RE, '');
    let kept = '';
    for (const c of text) if (!CONTROL.has(c.codePointAt(0)!)) kept += c;
    text = kept.normalize('NFC');
    if (text === orig) return text;
  }
}

/**
 * ftfy.fix_text(text) with the default settings, line by line as ftfy does; HTML entities are left alone from the
 * first line that contains "<" on (ftfy's unescape_html="auto").
 */
export function fixText(text: string): string {
  let unescape = true;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos) + 1;
    if (end === 0) end = text.length;
    const segment = text.slice(pos, end);
    if (unescape && segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
    pos = end;
  }
  return out;
}
