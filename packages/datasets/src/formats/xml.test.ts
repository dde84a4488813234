import { describe, expect, it } from 'vitest';
import { errorOf } from '../testing/test-support.js';
import { parseXml, xmlChild, xmlChildren } from './xml.js';

describe('parseXml', () => {
  it('reads elements, attributes, text, comments, CDATA and entities', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="utf-8"?>\n<!-- head -->\n<a x="1" y='two &amp; three'>\n  <b>hi &lt;there&gt; &#65;&#x42;</b><!-- c -->\n  <c/><b><![CDATA[<raw>&]]></b>\n</a>\n`,
      'doc.xml',
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: 'two & three' });
    expect(xmlChildren(root, 'b').map((b) => b.text)).toEqual(['hi <there> AB', '<raw>&']);
    expect(xmlChild(root, 'c')).toMatchObject({ name: 'c', children: [], text: '', line: 5 });
    expect(root.line).toBe(3);
  });

  it('accepts the declaration inline on the root line and a missing final newline', () => {
    const root = parseXml('<?xml version="1.0" ?><annotation verified="no"><w>3</w></annotation>', 'x.xml');
    expect(root.attributes.verified).toBe('no');
    expect(xmlChild(root, 'w')?.text).toBe('3');
  });

  it('names file and line of a mismatched closing tag', () => {
    const e = errorOf(() => parseXml('<a>\n<b>\n</c>\n</a>', 'bad.xml'));
    expect(e.file).toBe('bad.xml');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/bad\.xml line 3: invalid XML: closing tag <\/c> does not match <b> opened on line 2/);
  });

  it('rejects unknown entities, unclosed elements, trailing content and bad attributes', () => {
    expect(errorOf(() => parseXml('<a>&nbsp;</a>', 'e.xml')).reason).toMatch(/unknown entity "&nbsp;"/);
    expect(errorOf(() => parseXml('<a>\n<b>x</b>\n', 'u.xml')).reason).toMatch(/<a> \(line 1\) is never closed/);
    expect(errorOf(() => parseXml('<a/><b/>', 't.xml')).reason).toMatch(/after the root element/);
    expect(errorOf(() => parseXml('<a x=1/>', 'q.xml')).reason).toMatch(/quoted value/);
    expect(errorOf(() => parseXml('<a x="1" x="2"/>', 'd.xml')).reason).toMatch(/duplicate attribute/);
    expect(errorOf(() => parseXml('', 'empty.xml')).reason).toMatch(/expected the root element/);
  });
});
