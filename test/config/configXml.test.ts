// What this proves: the configuration's XML reader reads what FreeSWITCH configuration files use
// (declaration, comments, attributes in either quote, the five entities and numeric references,
// CDATA, <include> wrappers are left to the loader) and refuses everything else with the line and
// column of the problem.
import { describe, expect, it } from 'vitest';
import { parseXml, XmlSyntaxError } from '../../src/config/xmlReader.js';

function syntaxError(text: string): XmlSyntaxError {
  try {
    parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) return err;
    throw err;
  }
  throw new Error('expected a syntax error');
}

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA, comments and the declaration, with line numbers', () => {
    const doc = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- top -->\n<a x="1" y=\'two\'>\n  <b name="n" value="v"/> <!-- c -->\n  <c>t&amp;&lt;&gt;&quot;&apos;&#65;&#x42;<![CDATA[ <raw> & ]]></c>\n</a>\n<!-- after -->\n',
    );
    expect(doc.name).toBe('a');
    expect(doc.line).toBe(3);
    expect([...doc.attributes]).toEqual([
      ['x', '1'],
      ['y', 'two'],
    ]);
    expect(doc.children.map((c) => [c.name, c.line])).toEqual([
      ['b', 4],
      ['c', 5],
    ]);
    expect(doc.children[0]!.attributes.get('value')).toBe('v');
    expect(doc.children[1]!.text).toBe('t&<>"\'AB <raw> & ');
  });

  it('normalises literal whitespace in attribute values but keeps character references', () => {
    const doc = parseXml('<a v="x\ty\nz" w="a&#13;&#10;b"/>');
    expect(doc.attributes.get('v')).toBe('x y z');
    expect(doc.attributes.get('w')).toBe('a\r\nb');
  });

  it('reads deep nesting without recursion', () => {
    const depth = 20_000;
    const doc = parseXml(`${'<e>'.repeat(depth)}${'</e>'.repeat(depth)}`);
    let n = 1;
    for (let e = doc; e.children.length > 0; e = e.children[0]!) n++;
    expect(n).toBe(depth);
  });

  it('never quotes the text around a bad entity (it may be part of a key)', () => {
    for (const text of ['<a k="sk-SECRET&xyz"/>', '<a k="sk-SECRET&xyzSECRET;"/>', '<a k="sk-SECRET&#0;"/>']) {
      const err = syntaxError(text);
      expect(err.message).not.toContain('SECRET');
      expect(err.message).not.toContain('xyz');
    }
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', 1, 'DOCTYPE'],
    ['<a>\n  &foo;\n</a>', 2, 'unknown entity'],
    ['<a>\n  AT&T\n</a>', 2, "'&' must start an entity"],
    ['<a>\n<b>\n</a>', 3, '</a> does not match <b> (line 2)'],
    ['<a>\n  <b>\n', 3, '<b> (line 2) is not closed'],
    ['<a x="1"\n x="2"/>', 2, "duplicate attribute 'x'"],
    ['<a x="<"/>', 1, "'<' in the value of attribute 'x'"],
    ['<a x=1/>', 1, 'must be quoted'],
    ['<a/>\n<b/>', 2, 'only one root element'],
    ['<a/>\ntext', 2, 'text after the root element'],
    ['<a><?pi x?></a>', 1, 'processing instructions are not supported'],
    ['<a/>\n<?xml version="1.0"?>', 2, 'must come before everything else'],
    ['<?xml version="1.0" encoding="ISO-8859-1"?><a/>', 1, "encoding 'ISO-8859-1' is not supported"],
    ['<a><!-- never closed </a>', 1, 'unterminated comment'],
    ['<a><![CDATA[ x </a>', 1, 'unterminated CDATA'],
    ['<a>&#0;</a>', 1, 'a character XML does not allow'],
    ['', 1, 'no root element'],
    ['<a x="1"y="2"/>', 1, 'expected whitespace'],
  ])('refuses %j at line %i', (text, line, reason) => {
    const err = syntaxError(text);
    expect(err.line).toBe(line);
    expect(err.message).toContain(reason);
    expect(err.message).toMatch(/^line \d+, column \d+: /);
  });
});
