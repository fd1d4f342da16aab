/**
 * A small, strict XML reader for the module's configuration file. FreeSWITCH configuration XML is
 * simple, so this reads only what it uses and refuses the rest with a line number:
 *
 * - supported: one root element; elements with attributes (single or double quotes); self-closing
 *   elements; text; `<![CDATA[...]]>`; `<!-- comments -->`; an `<?xml ...?>` declaration before
 *   the root (UTF-8 only); a UTF-8 byte order mark; the entities `&amp; &lt; &gt; &quot; &apos;`
 *   and numeric character references (`&#10;`, `&#x41;`).
 * - refused: `<!DOCTYPE>` and entity declarations (no entity expansion at all), processing
 *   instructions other than the declaration, unknown entities, mismatched or unclosed tags,
 *   duplicate attributes, `<` in attribute values, text or a second element outside the root.
 *
 * Attribute values are normalised as XML requires (a literal tab, CR or LF becomes a space); a
 * character reference such as `&#10;` survives, so later validation still sees it.
 *
 * The reader walks the text with an explicit stack, never recursion, so nesting depth cannot
 * exhaust the JS stack.
 */

export interface XmlElement {
  readonly name: string;
  /** Attributes in document order (names are case-sensitive, as XML). */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own text and CDATA, concatenated, entities decoded (children's text excluded). */
  readonly text: string;
  /** 1-based line of the element's `<`. */
  readonly line: number;
}

export class XmlSyntaxError extends Error {
  readonly code = 'OAI_ERR_CONFIG_XML';
  readonly line: number;
  readonly column: number;
  /** The problem without the position (the message is `line L, column C: <reason>`). */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = new.target.name;
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

interface MutableElement {
  name: string;
  attributes: Map<string, string>;
  children: MutableElement[];
  text: string;
  line: number;
}

const NAME_START = /[A-Za-z_:]/;
const NAME_RE = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses `text` into its root element; throws {@link XmlSyntaxError}. */
export function parseXml(text: string): XmlElement {
  return new Reader(text).document();
}

class Reader {
  readonly #src: string;
  #pos = 0;
  readonly #lineStarts: number[] = [0];

  constructor(src: string) {
    this.#src = src;
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  document(): XmlElement {
    const s = this.#src;
    if (s.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#skipSpace();
    if (s.startsWith('<?xml', this.#pos) && /[\s?]/.test(s.charAt(this.#pos + 5))) this.#declaration();
    let root: MutableElement | null = null;
    for (;;) {
      this.#skipSpace();
      if (this.#pos >= s.length) break;
      if (s.startsWith('<!--', this.#pos)) {
        this.#comment();
      } else if (s.startsWith('<?', this.#pos)) {
        this.#fail(s.startsWith('<?xml', this.#pos) ? 'the <?xml ?> declaration must come before everything else' : 'processing instructions are not supported');
      } else if (s.startsWith('<!', this.#pos)) {
        this.#fail(s.startsWith('<!DOCTYPE', this.#pos) ? '<!DOCTYPE> is not supported' : `'${s.slice(this.#pos, this.#pos + 9)}' is not supported here`);
      } else if (s.charAt(this.#pos) === '<' && NAME_START.test(s.charAt(this.#pos + 1))) {
        if (root) this.#fail('only one root element is allowed');
        root = this.#element();
      } else {
        this.#fail(root ? 'text after the root element' : 'text before the root element');
      }
    }
    if (!root) this.#fail('no root element');
    return root;
  }

  #declaration(): void {
    const start = this.#pos;
    const end = this.#src.indexOf('?>', start);
    if (end < 0) this.#fail('unterminated <?xml ?> declaration');
    const body = this.#src.slice(start + 5, end);
    const encoding = /\bencoding\s*=\s*(["'])([^"']*)\1/.exec(body);
    if (encoding && !/^utf-?8$/i.test(encoding[2]!)) this.#fail(`encoding '${encoding[2]!}' is not supported (only UTF-8)`);
    this.#pos = end + 2;
  }

  #comment(): void {
    const end = this.#src.indexOf('-->', this.#pos + 4);
    if (end < 0) this.#fail('unterminated comment');
    this.#pos = end + 3;
  }

  /** Reads one element and everything inside it; the cursor is on its `<`. */
  #element(): MutableElement {
    const s = this.#src;
    const root = this.#openTag();
    if (root.selfClosed) return root.element;
    const stack: MutableElement[] = [root.element];
    while (stack.length > 0) {
      const current = stack[stack.length - 1]!;
      if (this.#pos >= s.length) this.#fail(`<${current.name}> (line ${current.line}) is not closed`, s.length);
      const lt = s.indexOf('<', this.#pos);
      if (lt < 0 || lt > this.#pos) {
        const end = lt < 0 ? s.length : lt;
        current.text += this.#decode(s.slice(this.#pos, end), this.#pos);
        this.#pos = end;
        continue;
      }
      if (s.startsWith('</', lt)) {
        this.#pos = lt + 2;
        const name = this.#name('a closing tag name');
        this.#skipSpace();
        if (s.charAt(this.#pos) !== '>') this.#fail(`expected '>' to end </${name}`);
        this.#pos++;
        if (name !== current.name) this.#fail(`</${name}> does not match <${current.name}> (line ${current.line})`, lt);
        stack.pop();
      } else if (s.startsWith('<!--', lt)) {
        this.#comment();
      } else if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end < 0) this.#fail('unterminated CDATA section');
        current.text += s.slice(lt + 9, end);
        this.#pos = end + 3;
      } else if (s.startsWith('<?', lt)) {
        this.#fail('processing instructions are not supported');
      } else if (s.startsWith('<!', lt)) {
        this.#fail(`'${s.slice(lt, lt + 9)}' is not supported`);
      } else {
        const child = this.#openTag();
        current.children.push(child.element);
        if (!child.selfClosed) stack.push(child.element);
      }
    }
    return root.element;
  }

  #openTag(): { element: MutableElement; selfClosed: boolean } {
    const s = this.#src;
    const line = this.#lineOf(this.#pos);
    this.#pos++;
    const name = this.#name('an element name');
    const element: MutableElement = { name, attributes: new Map(), children: [], text: '', line };
    for (;;) {
      const hadSpace = this.#skipSpace();
      const c = s.charAt(this.#pos);
      if (c === '>') {
        this.#pos++;
        return { element, selfClosed: false };
      }
      if (s.startsWith('/>', this.#pos)) {
        this.#pos += 2;
        return { element, selfClosed: true };
      }
      if (this.#pos >= s.length) this.#fail(`<${name}> (line ${line}) is not closed`);
      if (!hadSpace) this.#fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attr = this.#name('an attribute name');
      this.#skipSpace();
      if (s.charAt(this.#pos) !== '=') this.#fail(`attribute '${attr}' of <${name}> has no value (expected =)`);
      this.#pos++;
      this.#skipSpace();
      const quote = s.charAt(this.#pos);
      if (quote !== '"' && quote !== "'") this.#fail(`the value of attribute '${attr}' must be quoted`);
      const end = s.indexOf(quote, this.#pos + 1);
      if (end < 0) this.#fail(`unterminated value of attribute '${attr}'`);
      const raw = s.slice(this.#pos + 1, end);
      const lt = raw.indexOf('<');
      if (lt >= 0) this.#fail(`'<' in the value of attribute '${attr}' (write &lt;)`, this.#pos + 1 + lt);
      if (element.attributes.has(attr)) this.#fail(`duplicate attribute '${attr}' in <${name}>`);
      element.attributes.set(attr, this.#decode(raw.replace(/[\t\r\n]/g, ' '), this.#pos + 1));
      this.#pos = end + 1;
    }
  }

  #name(what: string): string {
    NAME_RE.lastIndex = this.#pos;
    const m = NAME_RE.exec(this.#src);
    if (!m) this.#fail(`expected ${what}`);
    this.#pos += m[0].length;
    return m[0];
  }

  /** Decodes entities in `raw`, which starts at `offset` in the source (for error positions). */
  #decode(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s<]*);?/g, (whole, body: string, at: number) => {
      const where = offset + at;
      // Messages never quote the text around an entity: it may be part of a key.
      if (!whole.endsWith(';')) this.#fail(`'&' must start an entity (write a literal & as &amp;)`, where);
      const named = NAMED_ENTITIES[body];
      if (named !== undefined) return named;
      const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
      if (num) {
        const cp = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
        const valid = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        if (!valid) this.#fail('a character reference names a character XML does not allow', where);
        return String.fromCodePoint(cp);
      }
      return this.#fail('unknown entity (supported: &amp; &lt; &gt; &quot; &apos; and &#N;)', where);
    });
  }

  #skipSpace(): boolean {
    const start = this.#pos;
    while (this.#pos < this.#src.length && /[ \t\r\n]/.test(this.#src.charAt(this.#pos))) this.#pos++;
    return this.#pos > start;
  }

  #lineOf(offset: number): number {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  #fail(reason: string, at: number = this.#pos): never {
    const line = this.#lineOf(at);
    throw new XmlSyntaxError(reason, line, at - this.#lineStarts[line - 1]! + 1);
  }
}
