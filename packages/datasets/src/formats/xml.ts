/**
 * A small, strict XML reader for annotation files (VOC, DroneVehicle, roLabelImg). Enough of
 * XML 1.0 for what labelling tools write: elements, attributes, text, the `<?xml …?>`
 * declaration (also inline on the root's line), processing instructions, comments, CDATA,
 * a DOCTYPE without internal subset, and the predefined + numeric character entities.
 * Written here instead of pulling a dependency; every error names the file and line.
 */
import { DatasetError } from '../errors.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (entities decoded, not trimmed). */
  text: string;
  /** 1-based line of the element's start tag. */
  line: number;
}

const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses one XML document and returns its root element. */
export function parseXml(source: string, file: string): XmlElement {
  return new XmlParser(source, file).document();
}

class XmlParser {
  private pos = 0;
  private line = 1;
  private lineCountedTo = 0;

  constructor(private readonly src: string, private readonly file: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1; // UTF-8 BOM
  }

  document(): XmlElement {
    this.misc();
    if (!this.src.startsWith('<', this.pos)) this.fail('expected the root element');
    const root = this.element();
    this.misc();
    if (this.pos < this.src.length) this.fail('unexpected content after the root element');
    return root;
  }

  /** Whitespace, comments, processing instructions and DOCTYPE outside the root. */
  private misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('<?', this.pos)) this.skipUntil('?>', 'processing instruction');
      else if (this.src.startsWith('<!--', this.pos)) this.skipUntil('-->', 'comment');
      else if (this.src.startsWith('<!DOCTYPE', this.pos)) this.skipDoctype();
      else return;
    }
  }

  private element(): XmlElement {
    const line = this.currentLine();
    this.pos++; // '<'
    const name = this.name('element name');
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipSpace();
      const c = this.src[this.pos];
      if (c === '/' || c === '>') break;
      if (c === undefined) this.fail(`unterminated start tag <${name}>`);
      if (!hadSpace) this.fail(`expected whitespace before attribute in <${name}>`);
      const attr = this.name(`attribute name in <${name}>`);
      if (attr in attributes) this.fail(`duplicate attribute "${attr}" in <${name}>`);
      this.skipSpace();
      this.expect('=', `"=" after attribute "${attr}"`);
      this.skipSpace();
      attributes[attr] = this.attributeValue(attr);
    }
    const el: XmlElement = { name, attributes, children: [], text: '', line };
    if (this.src.startsWith('/>', this.pos)) {
      this.pos += 2;
      return el;
    }
    this.pos++; // '>'
    this.content(el);
    return el;
  }

  private content(el: XmlElement): void {
    for (;;) {
      const lt = this.src.indexOf('<', this.pos);
      if (lt < 0) {
        this.pos = this.src.length;
        this.fail(`element <${el.name}> (line ${el.line}) is never closed`);
      }
      el.text += this.decode(this.src.slice(this.pos, lt));
      this.pos = lt;
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const close = this.name('closing tag name');
        if (close !== el.name) this.fail(`closing tag </${close}> does not match <${el.name}> opened on line ${el.line}`);
        this.skipSpace();
        this.expect('>', `">" to end </${close}>`);
        return;
      }
      if (this.src.startsWith('<!--', this.pos)) this.skipUntil('-->', 'comment');
      else if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unterminated CDATA section');
        el.text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith('<?', this.pos)) this.skipUntil('?>', 'processing instruction');
      else el.children.push(this.element());
    }
  }

  private attributeValue(attr: string): string {
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'") this.fail(`expected a quoted value for attribute "${attr}"`);
    const end = this.src.indexOf(q, this.pos + 1);
    if (end < 0) this.fail(`unterminated value of attribute "${attr}"`);
    const raw = this.src.slice(this.pos + 1, end);
    if (raw.includes('<')) this.fail(`"<" is not allowed in the value of attribute "${attr}"`);
    this.pos = end + 1;
    return this.decode(raw);
  }

  /** Decodes entities; an unknown or malformed one is an error (strict reader). */
  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (m, body: string) => {
      if (!m.endsWith(';')) this.fail(`malformed entity "${m}" (missing ";")`);
      if (body in PREDEFINED) return PREDEFINED[body];
      const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
      if (num) {
        const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2], 10);
        if (cp > 0x10ffff) this.fail(`character reference "${m}" is out of range`);
        return String.fromCodePoint(cp);
      }
      return this.fail(`unknown entity "${m}"`);
    });
  }

  private name(what: string): string {
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.src);
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos])) this.pos++;
    return this.pos > start;
  }

  private skipUntil(end: string, what: string): void {
    const i = this.src.indexOf(end, this.pos);
    if (i < 0) this.fail(`unterminated ${what}`);
    this.pos = i + end.length;
  }

  private skipDoctype(): void {
    const gt = this.src.indexOf('>', this.pos);
    if (gt < 0) this.fail('unterminated DOCTYPE');
    if (this.src.slice(this.pos, gt).includes('[')) this.fail('DOCTYPE internal subsets are not supported');
    this.pos = gt + 1;
  }

  private expect(s: string, what: string): void {
    if (!this.src.startsWith(s, this.pos)) this.fail(`expected ${what}`);
    this.pos += s.length;
  }

  /** Line numbers are counted lazily (only up to where they are asked for). */
  private currentLine(): number {
    for (let i = this.lineCountedTo; i < this.pos; i++) if (this.src.charCodeAt(i) === 10) this.line++;
    this.lineCountedTo = Math.max(this.lineCountedTo, this.pos);
    return this.line;
  }

  private fail(reason: string): never {
    throw new DatasetError({ file: this.file, line: this.currentLine() }, `invalid XML: ${reason}`);
  }
}

/** First child element with this name, or undefined. */
export function xmlChild(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** All child elements with this name. */
export function xmlChildren(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
