import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../testing/test-support.js';
import { readDotaTxt, scanDotaTxt } from './dota-txt.js';
import { scanTask1Txt, task1ClassName } from './task1-txt.js';
import { formatDotaTxt, writeDotaTxt, writeTask1Txt } from './write-dota-txt.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-dota-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('DOTA txt streaming scan and Task1 results', () => {
  it('scanDotaTxt hands over a reused buffer per line (nothing kept per line) and the header', () => {
    const file = path.join(tmp, 'P1.txt');
    writeDotaTxt(file, [{ poly: [0, 0, 4, 0, 4, 4, 0, 4], className: 'ship', difficult: 2 }, { poly: [1, 1, 2, 1, 2, 2, 1, 2], className: 'plane' }], { imageSource: 'GoogleEarth', gsd: 0.5 });
    const seen: [number[], string, number, number][] = [];
    const buffers = new Set<Float64Array>();
    const header = scanDotaTxt(file, (poly, c, d, line) => {
      buffers.add(poly);
      seen.push([Array.from(poly), c, d, line]);
    });
    expect(header).toEqual({ imageSource: 'GoogleEarth', gsd: 0.5 });
    expect(seen).toEqual([[[0, 0, 4, 0, 4, 4, 0, 4], 'ship', 2, 3], [[1, 1, 2, 1, 2, 2, 1, 2], 'plane', 0, 4]]);
    expect(buffers.size).toBe(1);
  });

  it('difficult 2 (devkit splitter, our tiler) round-trips; 3 or "1.0" does not', () => {
    const text = formatDotaTxt([{ poly: [0, 0, 1, 0, 1, 1, 0, 1], className: 'a', difficult: 2 }]);
    const file = path.join(tmp, 'd2.txt');
    fs.writeFileSync(file, text);
    expect(readDotaTxt(file).objects[0].difficult).toBe(2);
    fs.writeFileSync(file, text.replace(' 2\n', ' 3\n'));
    expect(errorOf(() => readDotaTxt(file)).message).toBe(`${file} line 1: difficult must be 0, 1 or 2, got "3"`);
    fs.writeFileSync(file, text.replace(' 2\n', ' 1.0\n'));
    expect(errorOf(() => readDotaTxt(file)).reason).toBe('difficult must be 0, 1 or 2, got "1.0"');
    expect(() => formatDotaTxt([{ poly: [0, 0, 1, 0, 1, 1, 0, 1], className: 'a', difficult: 3 }])).toThrow(/difficult must be 0, 1 or 2/);
  });

  it('reads Task1 files with CR line endings and names file and line of a bad score', () => {
    const file = path.join(tmp, 'Task1_ship.txt');
    writeTask1Txt(file, [{ image: 'P1', score: 0.9, poly: [0, 0, 4, 0, 4, 4, 0, 4] }, { image: 'P2', score: 0.25, poly: [1, 1, 2, 1, 2, 2, 1, 2] }]);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r'));
    const rows: [string, number, number][] = [];
    expect(scanTask1Txt(file, (image, score, _poly, line) => rows.push([image, score, line]))).toBe(2);
    expect(rows).toEqual([['P1', 0.9, 1], ['P2', 0.25, 2]]);
    fs.writeFileSync(file, 'P1 0x1 0 0 4 0 4 4 0 4\n');
    expect(errorOf(() => scanTask1Txt(file, () => {})).message).toBe(`${file} line 1: score is not a finite number: "0x1"`);
    expect(task1ClassName('Task1_large-vehicle.txt')).toBe('large-vehicle');
    expect(task1ClassName('Task2_x.txt')).toBeUndefined();
  });
});
