import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES } from '../testing/test-support.js';
import { FormatError as DatasetError, IssueSink } from '../errors.js';
import { parseDotaTxt, readDotaTxt } from './dota-txt.js';
import { formatDotaTxt, writeDotaTxt } from './write-dota-txt.js';

const P1888 = path.join(SAMPLES, 'dota/labelTxt/P1888.txt');
const DOTA_CLASSES = ['plane', 'ship', 'storage-tank', 'small-vehicle', 'large-vehicle'];

describe('readDotaTxt on the real DOTA sample (CRLF, header lines)', () => {
  const label = readDotaTxt(P1888);

  it('reads the header and all 64 objects', () => {
    expect(label.imageSource).toBe('GoogleEarth');
    expect(label.gsd).toBeCloseTo(0.266170468393, 12);
    expect(label.objects).toHaveLength(64);
    const counts: Record<string, number> = {};
    for (const o of label.objects) counts[o.className] = (counts[o.className] ?? 0) + 1;
    expect(counts).toEqual({ 'large-vehicle': 50, 'small-vehicle': 14 });
    expect(label.objects.every((o) => o.difficult === 0)).toBe(true);
    expect(label.skipped).toEqual([]);
  });

  it('parses the first object line exactly (no stray \\r in the last field)', () => {
    expect(label.objects[0]).toEqual({ poly: [674, 375, 683, 375, 684, 394, 675, 395], className: 'small-vehicle', difficult: 0, line: 3 });
  });
});

describe('readDotaTxt rules', () => {
  it('reads a line without the difficult field as difficult 0, with a notice', () => {
    const label = readDotaTxt(path.join(FIXTURES, 'dota-no-difficult.txt'));
    expect(label.objects.map((o) => [o.className, o.difficult])).toEqual([['plane', 0], ['ship', 1]]);
    expect(label.notices).toHaveLength(1);
    expect(label.notices[0]).toMatch(/1 object line\(s\) have no difficult field/);
  });

  it('tolerates a UTF-8 BOM and blank lines', () => {
    const label = parseDotaTxt('\ufeffimagesource:GoogleEarth\n\n1 1 2 1 2 2 1 2 ship 0\n\n', 'bom.txt');
    expect(label.imageSource).toBe('GoogleEarth');
    expect(label.objects).toHaveLength(1);
    expect(label.objects[0].line).toBe(3);
  });

  it('reads old-Mac CR-only line endings like Python universal newlines, with the right line numbers', () => {
    const label = parseDotaTxt('gsd:0.5\r1 1 2 1 2 2 1 2 ship 0\r\r3 3 4 3 4 4 3 4 plane 1\r', 'cr.txt');
    expect(label.gsd).toBe(0.5);
    expect(label.objects.map((o) => [o.className, o.line])).toEqual([['ship', 2], ['plane', 4]]);
    expect(() => parseDotaTxt('1 1 2 1 2 2 1 2 ship 0\r1 1 2 1 2 2 1 2 ship\r', 'cr.txt', { classes: ['plane'] })).toThrow(/^cr\.txt line 1: unknown class "ship"/);
  });

  it('rejects a gsd that is not a number (lenient: reported, objects still read)', () => {
    const text = 'imagesource:GoogleEarth\ngsd:0,266\n1 1 2 1 2 2 1 2 ship 0\n';
    expect(() => parseDotaTxt(text, 'g.txt')).toThrow('g.txt line 2: gsd must be a number (metres per pixel) or "null", got "0,266"');
    const lenient = parseDotaTxt(text, 'g.txt', { lenient: true });
    expect(lenient.gsd).toBeUndefined();
    expect(lenient.objects).toHaveLength(1);
    expect(lenient.skipped).toEqual([{ file: 'g.txt', line: 2, reason: 'gsd must be a number (metres per pixel) or "null", got "0,266"' }]);
  });

  it('reads decimal coordinates only (Number() alone would take 0x10 as 16, like no labelling tool writes)', () => {
    expect(parseDotaTxt('-1.5 +2 .5 1e1 2 2 1 2 ship 0', 'ok.txt').objects[0].poly).toEqual([-1.5, 2, 0.5, 10, 2, 2, 1, 2]);
    expect(() => parseDotaTxt('0x10 1 2 1 2 2 1 2 ship 0', 'hex.txt')).toThrow('hex.txt line 1: coordinate 1 (x1) is not a finite number: "0x10"');
  });

  it('accepts gsd:null and devkit difficult 2; rejects other difficult values', () => {
    const ok = parseDotaTxt('gsd:null\n1 1 2 1 2 2 1 2 ship 2', 'x.txt');
    expect(ok.gsd).toBeNull();
    expect(ok.objects[0].difficult).toBe(2);
    expect(() => parseDotaTxt('1 1 2 1 2 2 1 2 ship 3', 'x.txt')).toThrow(/x\.txt line 1: difficult must be 0, 1 or 2, got "3"/);
  });

  it.each([
    ['dota-bad-number.txt', 4, /coordinate 3 \(x2\) is not a finite number: "2O"/],
    ['dota-field-count.txt', 2, /expected 10 fields \(8 coordinates, class, difficult\), got 11/],
    ['dota-three-points.txt', 2, /polygon has 3 points, DOTA needs exactly 4/],
    ['dota-unknown-class.txt', 2, /unknown class "spaceship" \(expected one of: plane, ship/],
  ])('rejects broken/%s naming the line', (name, line, reason) => {
    const file = path.join(FIXTURES, 'broken', name);
    let err: unknown;
    try {
      readDotaTxt(file, { classes: DOTA_CLASSES });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).file).toBe(file);
    expect((err as DatasetError).line).toBe(line);
    expect((err as DatasetError).message).toMatch(reason);
  });

  it('lenient mode skips and reports each bad line, keeping the good ones', () => {
    const sink = new IssueSink(true);
    const label = readDotaTxt(path.join(FIXTURES, 'broken/dota-unknown-class.txt'), { classes: DOTA_CLASSES, sink });
    expect(label.objects.map((o) => o.line)).toEqual([1, 3]);
    expect(label.skipped).toHaveLength(1);
    expect(label.skipped[0]).toMatchObject({ line: 2 });
    expect(sink.skipped).toHaveLength(1);
  });
});

describe('writeDotaTxt', () => {
  it('writes what readDotaTxt reads back, atomically (no temp file left)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dota-w-'));
    const file = path.join(dir, 'labelTxt', 'a.txt');
    const objects = [
      { poly: [0.5, 1, 10, 1, 10, 5.25, 0.5, 5.25], className: 'plane', difficult: 1 },
      { poly: Float64Array.from([3, 3, 4, 3, 4, 4, 3, 4]), className: 'small-vehicle' },
    ];
    writeDotaTxt(file, objects, { imageSource: 'GoogleEarth', gsd: 0.5 });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.txt']);
    const back = readDotaTxt(file);
    expect(back.imageSource).toBe('GoogleEarth');
    expect(back.gsd).toBe(0.5);
    expect(back.objects.map((o) => [o.poly, o.className, o.difficult])).toEqual([
      [[0.5, 1, 10, 1, 10, 5.25, 0.5, 5.25], 'plane', 1],
      [[3, 3, 4, 3, 4, 4, 3, 4], 'small-vehicle', 0],
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('round-trips the real sample byte-equivalently up to line endings', () => {
    const label = readDotaTxt(P1888);
    const text = formatDotaTxt(label.objects, { imageSource: label.imageSource, gsd: label.gsd });
    expect(text).toBe(fs.readFileSync(P1888, 'utf8').replace(/\r\n/g, '\n'));
  });

  it('refuses polygons without 4 points and class names with spaces', () => {
    expect(() => formatDotaTxt([{ poly: [1, 2, 3, 4, 5, 6], className: 'a' }])).toThrow(/has 6 values, expected 8/);
    expect(() => formatDotaTxt([{ poly: [1, 2, 3, 4, 5, 6, 7, 8], className: 'freight car' }])).toThrow(/without spaces/);
  });
});
