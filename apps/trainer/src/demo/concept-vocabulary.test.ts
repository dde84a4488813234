import { describe, expect, it } from 'vitest';
import { SOI_DET_CLASSES, unifiedClassId } from '@babelrs/datasets';
import { buildConceptVocabulary } from './concept-vocabulary.js';

describe('buildConceptVocabulary', () => {
  const v = buildConceptVocabulary();
  const conceptOf = (m: 'sar' | 'rgb' | 'ir', name: string) => v.concepts[v.conceptOfClass[unifiedClassId(m, name)]];

  it('maps the same object in different modalities to one concept', () => {
    expect(conceptOf('sar', 'ship')).toBe('ship');
    expect(conceptOf('rgb', 'ship')).toBe('ship');
    expect(conceptOf('rgb', 'plane')).toBe(conceptOf('sar', 'aircraft'));
    expect(conceptOf('rgb', 'small-vehicle')).toBe('car');
    expect(conceptOf('ir', 'car')).toBe('car');
    expect(conceptOf('sar', 'tank')).toBe(conceptOf('rgb', 'storage-tank'));
  });

  it('has 19 distinct concepts for the 26 SOI-Det classes (6 SAR + 9 new in DOTA + 4 new in DroneVehicle)', () => {
    expect(SOI_DET_CLASSES.length).toBe(26);
    expect(v.concepts.length).toBe(19);
    expect(new Set(v.concepts).size).toBe(19);
    expect(v.modalityClasses.sar.length).toBe(6);
    expect(v.modalityClasses.rgb.length).toBe(15);
    expect(v.modalityClasses.ir.length).toBe(5);
  });

  it('rejects a class list whose ids are not positions', () => {
    const broken = SOI_DET_CLASSES.map((c, i) => (i === 3 ? { ...c, id: 9 } : c));
    expect(() => buildConceptVocabulary(broken)).toThrow(/class "sar:tank" has id 9, expected its position 3/);
  });
});
