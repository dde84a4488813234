import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf, SAMPLES } from '../testing/test-support.js';
import { parseVocXml, readVocXml, VOC_MAX_BYTES, VOC_MAX_DEPTH } from './voc-xml.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-voc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const xml = (objects: string) => `<annotation>\n<size><width>10</width><height>8</height></size>\n${objects}</annotation>`;
const box = '<object><name>ship</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>\n';

describe('readVocXml through fast-xml-parser', () => {
  it('reads the real SSDD sample with line numbers of the objects', () => {
    const a = readVocXml(path.join(SAMPLES, 'sar/ssdd/Annotations/000741.xml'));
    expect(a.objects).toHaveLength(3);
    expect(a.objects.every((o) => o.line > 1)).toBe(true);
    expect(new Set(a.objects.map((o) => o.line)).size).toBe(3);
  });

  it('reads CRLF and CR files to the same objects as LF', () => {
    const lf = parseVocXml(xml(box + box), 'a.xml');
    expect(parseVocXml(xml(box + box).replace(/\n/g, '\r\n'), 'a.xml').objects.map((o) => o.geometry)).toEqual(lf.objects.map((o) => o.geometry));
    expect(lf.objects[1].line).toBe(4);
  });

  it(`refuses nesting deeper than ${VOC_MAX_DEPTH} levels, and huge files, naming the file`, () => {
    const deep = '<annotation>' + '<a>'.repeat(100000) + '</a>'.repeat(100000) + '</annotation>';
    const e = errorOf(() => parseVocXml(deep, 'deep.xml'));
    expect(e.message).toBe(`deep.xml: XML nested deeper than ${VOC_MAX_DEPTH} levels: not a VOC annotation`);
    const big = path.join(tmp, 'big.xml');
    fs.writeFileSync(big, Buffer.alloc(VOC_MAX_BYTES + 1, 0x20));
    expect(errorOf(() => readVocXml(big)).reason).toMatch(/above 16777216 bytes is refused/);
  });

  it('one element where one is meant; integers for sizes; the strict number grammar', () => {
    expect(errorOf(() => parseVocXml(xml(box.replace('</bndbox>', '</bndbox><bndbox><xmin>1</xmin></bndbox>')), 'two.xml')).reason).toBe('more than one <bndbox> element');
    expect(errorOf(() => parseVocXml(xml(box).replace('<width>10</width>', '<width>10.5</width>'), 'w.xml')).reason).toBe('expected a positive integer, got "10.5"');
    expect(errorOf(() => parseVocXml(xml(box).replace('<xmin>1</xmin>', '<xmin>1e999</xmin>'), 'inf.xml')).reason).toBe('expected a number, got "1e999"');
    expect(errorOf(() => parseVocXml(xml(box).replace('<xmin>1</xmin>', '<xmin><b>1</b></xmin>'), 'el.xml')).reason).toBe('<xmin> must hold text, not elements');
    expect(errorOf(() => parseVocXml('<annotation/><annotation/>', 'two-roots.xml')).reason).toBe('2 root <annotation> elements, expected one');
    expect(errorOf(() => parseVocXml('', 'empty.xml')).file).toBe('empty.xml');
  });
});
