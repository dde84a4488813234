import path from 'node:path';
import { obbToPoly } from '@babelrs/boxes';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES, errorOf } from '../testing/test-support.js';
import { parseDotaTxt } from '@babelrs/formats';
import { geometryToObb, vocGeometriesToHbb, vocGeometriesToObb, vocToDotaObjects } from './voc-boxes.js';
import { formatDotaTxt } from '@babelrs/formats';
import { parseVocXml, readVocXml, type VocGeometry } from '@babelrs/formats';

describe('readVocXml on SSDD (SAR, bndbox)', () => {
  it('reads 000001.xml (no declaration, no trailing newline, Windows path, depth 1)', () => {
    const a = readVocXml(path.join(SAMPLES, 'sar/ssdd/Annotations/000001.xml'));
    expect([a.width, a.height, a.depth]).toEqual([416, 323, 1]);
    expect(a.filename).toBe('000001.jpg');
    expect(a.objects).toHaveLength(1);
    expect(a.objects[0].name).toBe('ship');
  });

  it('reads 000741.xml (declaration inline on the root line): 3 ships with exact boxes', () => {
    const a = readVocXml(path.join(SAMPLES, 'sar/ssdd/Annotations/000741.xml'));
    expect([a.width, a.height]).toEqual([502, 344]);
    expect(a.path).toBe('K:\\newmodel\\SARShip\\dataset\\Annotations');
    expect(a.objects.map((o) => o.geometry)).toEqual([
      { kind: 'bndbox', xyxy: [343, 134, 417, 166] },
      { kind: 'bndbox', xyxy: [60, 97, 179, 133] },
      { kind: 'bndbox', xyxy: [8, 65, 183, 116] },
    ]);
    expect(Array.from(vocGeometriesToHbb(a.objects.map((o) => o.geometry)))).toEqual([343, 134, 417, 166, 60, 97, 179, 133, 8, 65, 183, 116]);
  });
});

describe('readVocXml on HIT-UAV (IR)', () => {
  it('reads xml_hbb with its classes and camera-angle <pose>', () => {
    const a = readVocXml(path.join(SAMPLES, 'ir/hit-uav/xml_hbb/0_80_70_0_07057.xml'));
    expect([a.width, a.height]).toEqual([640, 512]);
    expect(new Set(a.objects.map((o) => o.name))).toEqual(new Set(['Car', 'Bicycle', 'Person']));
    expect(a.objects.every((o) => o.geometry.kind === 'bndbox')).toBe(true);
  });

  it('reads roLabelImg robndbox (filename without extension) and converts to le90', () => {
    const a = readVocXml(path.join(SAMPLES, 'ir/hit-uav/xml_obb/0_80_70_0_07057.xml'));
    expect(a.filename).toBe('0_80_70_0_07057');
    expect(a.objects[0].geometry).toEqual({ kind: 'robndbox', cx: 340.8313, cy: 440.8735, w: 119, h: 55, angleRad: 0 });
    const obbs = vocGeometriesToObb(a.objects.map((o) => o.geometry));
    for (let i = 0; i < a.objects.length; i++) {
      const [, , w, h, t] = obbs.subarray(i * 5, i * 5 + 5);
      expect(w).toBeGreaterThanOrEqual(h);
      expect(t).toBeGreaterThanOrEqual(-Math.PI / 2);
      expect(t).toBeLessThan(Math.PI / 2);
    }
    // A tall box at angle 0 (w=21 < h=44) becomes w=44, h=21, θ=−π/2 in le90.
    expect(Array.from(obbs.subarray(5, 10))).toEqual([328.8313, 191.3735, 44, 21, -Math.PI / 2]);
  });

  it('keeps every robndbox corner where the roLabelImg → DOTA conversion puts it', () => {
    // roxml_to_dota: corner = centre + R(angle)·(±w/2, ±h/2), R = [[cos, −sin], [sin, cos]] in image coordinates.
    const a = readVocXml(path.join(SAMPLES, 'ir/hit-uav/xml_obb/1_90_40_0_04880.xml'));
    const rotated = a.objects.filter((o) => o.geometry.kind === 'robndbox' && o.geometry.angleRad > 2);
    expect(rotated.length).toBe(2);
    for (const o of rotated) {
      const g = o.geometry as Extract<VocGeometry, { kind: 'robndbox' }>;
      const c = Math.cos(g.angleRad);
      const s = Math.sin(g.angleRad);
      const expected = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([u, v]) => {
        const dx = (u * g.w) / 2;
        const dy = (v * g.h) / 2;
        return [g.cx + c * dx - s * dy, g.cy + s * dx + c * dy];
      });
      const poly = obbToPoly(geometryToObb(g));
      const got = [0, 1, 2, 3].map((k) => [poly[2 * k], poly[2 * k + 1]]);
      for (const [ex, ey] of expected) {
        const nearest = Math.min(...got.map(([x, y]) => Math.hypot(x - ex, y - ey)));
        expect(nearest).toBeLessThan(1e-9);
      }
    }
  });
});

describe('readVocXml on DroneVehicle-style polygons (hand-written)', () => {
  it('reads polygon and bndbox objects, difficult flags and entities', () => {
    const a = readVocXml(path.join(FIXTURES, 'dronevehicle/00001.xml'), { classes: ['car', 'truck', 'bus', 'van', 'freight_car'] });
    expect(a.objects.map((o) => [o.name, o.difficult, o.geometry.kind])).toEqual([
      ['car', 0, 'polygon'],
      ['truck', 1, 'polygon'],
      ['bus', 0, 'bndbox'],
    ]);
    const obbs = Array.from(vocGeometriesToObb(a.objects.map((o) => o.geometry)), (v) => Math.round(v * 1e9) / 1e9);
    expect(obbs.slice(0, 5)).toEqual([120, 110, 40, 20, 0]);
    expect(obbs.slice(5, 10)).toEqual([290, 230, 60, 20, -Math.round((Math.PI / 2) * 1e9) / 1e9]);
    expect(obbs.slice(10, 15)).toEqual([440, 415, 80, 30, 0]);
  });
});

describe('vocToDotaObjects', () => {
  it('converts DroneVehicle XML to DOTA lines, cropping the 100-px border and renaming', () => {
    const a = readVocXml(path.join(FIXTURES, 'dronevehicle/00001.xml'));
    const objs = vocToDotaObjects(a.objects, { dx: -100, dy: -100, rename: { bus: 'van' } });
    expect(formatDotaTxt(objs)).toBe(
      ['0 0 40 0 40 20 0 20 car 0', '200 100 200 160 180 160 180 100 truck 1', '300 300 380 300 380 330 300 330 van 0', ''].join('\n'),
    );
  });

  it('writes roLabelImg boxes as corners that read back to the same OBBs', () => {
    const a = readVocXml(path.join(SAMPLES, 'ir/hit-uav/xml_obb/1_90_40_0_04880.xml'));
    const back = parseDotaTxt(formatDotaTxt(vocToDotaObjects(a.objects)), 'converted.txt');
    expect(back.objects.map((o) => o.className)).toEqual(a.objects.map((o) => o.name));
    const direct = vocGeometriesToObb(a.objects.map((o) => o.geometry));
    const viaPoly = vocGeometriesToObb(back.objects.map((o) => ({ kind: 'polygon' as const, poly: o.poly })));
    for (let k = 0; k < direct.length; k++) expect(viaPoly[k]).toBeCloseTo(direct[k], 6);
  });
});

describe('readVocXml errors', () => {
  it('names file, line and field of a 3-point polygon', () => {
    const file = path.join(FIXTURES, 'broken/voc-polygon-three-points.xml');
    const e = errorOf(() => readVocXml(file));
    expect(e.file).toBe(file);
    expect(e.line).toBe(7);
    expect(e.field).toBe('annotation/object[0]/polygon');
    expect(e.reason).toBe('polygon has 3 points, expected 4 (<x1><y1> … <x4><y4>)');
  });

  it('names the line of a mismatched tag', () => {
    const e = errorOf(() => readVocXml(path.join(FIXTURES, 'broken/voc-mismatched-tag.xml')));
    expect(e.line).toBe(5);
    expect(e.reason).toMatch(/invalid XML: Expected closing tag 'ymax' .* instead of closing tag 'ymin'/);
  });

  it('rejects a bad number, or skips that object in lenient mode', () => {
    const file = path.join(FIXTURES, 'broken/voc-bad-number.xml');
    const e = errorOf(() => readVocXml(file));
    expect(e.message).toBe(`${file} line 5 annotation/object[0]/bndbox/xmax: expected a number, got "abc"`);
    const a = readVocXml(file, { lenient: true });
    expect(a.objects).toHaveLength(1);
    expect(a.skipped).toEqual([{ file, line: 5, field: 'annotation/object[0]/bndbox/xmax', reason: 'expected a number, got "abc"' }]);
  });

  it('rejects unknown classes, missing size and wrong roots', () => {
    const xml = '<annotation><size><width>10</width><height>10</height></size><object><name>tank</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>';
    expect(errorOf(() => parseVocXml(xml, 'a.xml', { classes: ['ship'] })).reason).toBe('unknown class "tank" (expected one of: ship)');
    expect(errorOf(() => parseVocXml('<annotation></annotation>', 'b.xml')).field).toBe('annotation/size');
    expect(errorOf(() => parseVocXml('<doc/>', 'c.xml')).reason).toBe('expected root element <annotation>, got <doc>');
    expect(errorOf(() => parseVocXml(xml.replace('<xmin>1</xmin>', '<xmin>0x1</xmin>'), 'h.xml')).message).toBe('h.xml line 1 annotation/object[0]/bndbox/xmin: expected a number, got "0x1"');
    const inverted = xml.replace('<xmax>2</xmax>', '<xmax>0</xmax>');
    expect(errorOf(() => parseVocXml(inverted, 'd.xml')).reason).toMatch(/xmin ≤ xmax/);
  });
});
