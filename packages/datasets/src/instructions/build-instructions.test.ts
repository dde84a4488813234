import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOI_DET_CLASSES, unifiedClassId } from '../classes.js';
import type { DetectionSample } from '../sample.js';
import { buildInstructionPairs, buildInstructionSet, normalisedHbbs } from './build-instructions.js';
import { DEFAULT_INSTRUCTION_TEMPLATES, fillTemplate, pluralOf, type InstructionTemplates } from './templates.js';
import { parseInstructionsJsonl, readInstructionsJsonl, writeInstructionsJsonl } from './instruction-jsonl.js';

/** The default templates with only their first phrasing, so the text is fully predictable. */
const FIRST: InstructionTemplates = {
  ...DEFAULT_INSTRUCTION_TEMPLATES,
  counting: { ...DEFAULT_INSTRUCTION_TEMPLATES.counting, questions: [DEFAULT_INSTRUCTION_TEMPLATES.counting.questions[0]] },
  presence: { ...DEFAULT_INSTRUCTION_TEMPLATES.presence, questions: [DEFAULT_INSTRUCTION_TEMPLATES.presence.questions[0]] },
  grounding: { ...DEFAULT_INSTRUCTION_TEMPLATES.grounding, questionsOne: ['Locate the {singular}.'], questionsMany: ['Locate the {plural}.'] },
  referring: { ...DEFAULT_INSTRUCTION_TEMPLATES.referring, questions: [DEFAULT_INSTRUCTION_TEMPLATES.referring.questions[0]] },
  caption: { ...DEFAULT_INSTRUCTION_TEMPLATES.caption, questions: [DEFAULT_INSTRUCTION_TEMPLATES.caption.questions[0]] },
};

const sar = (name: string) => unifiedClassId('sar', name);
const rgb = (name: string) => unifiedClassId('rgb', name);

// SAR 200×100: two ships and a harbor (HBB).
const SAR: DetectionSample = {
  id: 'sar/test/a', modality: 'sar', imagePath: 'a.png', width: 200, height: 100, boxType: 'hbb',
  boxes: Float64Array.from([20, 10, 60, 50, 100, 20, 140, 80, 150, 0, 200, 100]),
  labels: Int32Array.from([sar('ship'), sar('ship'), sar('harbor')]),
  difficult: new Uint8Array(3),
};
// RGB 100×100: one plane as an OBB standing upright (θ = π/2 → enclosing HBB 40,30,60,70).
const RGB: DetectionSample = {
  id: 'rgb/test/p', modality: 'rgb', imagePath: 'p.png', width: 100, height: 100, boxType: 'obb',
  boxes: Float64Array.from([50, 50, 40, 20, Math.PI / 2]), labels: Int32Array.of(rgb('plane')), difficult: Uint8Array.of(0),
};

describe('buildInstructionPairs (hand-computed text)', () => {
  it('counting, presence, grounding and caption for a SAR sample', () => {
    const pairs = buildInstructionPairs(SAR, { templates: FIRST, negatives: 0, tasks: ['counting', 'presence', 'grounding', 'caption'] });
    expect(pairs.map((p) => [p.task, p.instruction, p.response])).toEqual([
      ['counting', 'How many ships are in the image?', 'There are 2 ships.'],
      ['counting', 'How many harbors are in the image?', 'There is 1 harbor.'],
      ['presence', expect.stringMatching(/^Is there a (ship|harbor) in the image\?$/), 'Yes.'],
      // x · 1000/200 and y · 1000/100.
      ['grounding', 'Locate the ships.', '<box>[[100, 100, 300, 500], [500, 200, 700, 800]]</box>'],
      ['grounding', 'Locate the harbor.', '<box>[[750, 0, 1000, 1000]]</box>'],
      ['caption', 'Briefly describe the objects in this image.', 'The image contains 2 ships and a harbor.'],
    ]);
    expect(pairs.map((p) => p.id)).toEqual(['sar/test/a#0', 'sar/test/a#1', 'sar/test/a#2', 'sar/test/a#3', 'sar/test/a#4', 'sar/test/a#5']);
    expect(new Set(pairs.map((p) => p.modality))).toEqual(new Set(['sar']));
  });

  it('grounds an OBB by its enclosing HBB and uses the concept name (DOTA plane → aircraft)', () => {
    expect(normalisedHbbs(RGB)).toEqual([[400, 300, 600, 700]]);
    const pairs = buildInstructionPairs(RGB, { templates: FIRST, negatives: 0, tasks: ['grounding', 'referring', 'counting'], shuffleClassList: false });
    const classes = 'aircraft, ship, storage tank, baseball diamond, tennis court, basketball court, ground track field, harbor, bridge, large vehicle, car, helicopter, roundabout, soccer ball field, swimming pool';
    expect(pairs.map((p) => [p.instruction, p.response])).toEqual([
      ['Locate the aircraft.', '<box>[[400, 300, 600, 700]]</box>'],
      [`What is the category in the area <box>[[400, 300, 600, 700]]</box>? The classes are: ${classes}.`, 'An aircraft.'],
      ['How many aircraft are in the image?', 'There is 1 aircraft.'],
    ]);
  });

  it('asks about absent concepts of the same modality and answers no / zero', () => {
    const pairs = buildInstructionPairs(RGB, { templates: FIRST, negatives: 2, tasks: ['counting', 'presence'] });
    const negatives = pairs.filter((p) => p.response === 'No.' || p.response.startsWith('There are no'));
    expect(negatives).toHaveLength(4);
    const present = SOI_DET_CLASSES.filter((c) => c.modality === 'rgb').map((c) => c.concept);
    for (const p of negatives) {
      const concept = present.find((c) => p.instruction.includes(`a ${c} `) || p.instruction.includes(`many ${pluralOf(c, FIRST)} `));
      expect(concept, p.instruction).toBeDefined();
      expect(concept).not.toBe('aircraft');
    }
  });

  it('same concept words across modalities: SAR ship and DOTA ship ask the same question', () => {
    const dotaShip: DetectionSample = { ...RGB, id: 'rgb/x', labels: Int32Array.of(rgb('ship')) };
    const sarShip: DetectionSample = { ...SAR, id: 'sar/x', boxes: SAR.boxes.slice(0, 4), labels: Int32Array.of(sar('ship')), difficult: new Uint8Array(1) };
    const q = (s: DetectionSample) => buildInstructionPairs(s, { templates: FIRST, negatives: 0, tasks: ['counting'] })[0];
    expect(q(dotaShip).instruction).toBe(q(sarShip).instruction);
    expect(q(dotaShip).response).toBe('There is 1 ship.');
  });

  it('is deterministic by seed, varies phrasing across seeds, and the shuffled class list is a permutation', () => {
    const a = buildInstructionSet([SAR, RGB], { seed: 3 });
    expect(buildInstructionSet([SAR, RGB], { seed: 3 })).toEqual(a);
    // A sample's pairs do not depend on its position in the set.
    expect(buildInstructionSet([RGB, SAR], { seed: 3 })).toEqual([...a.slice(-buildInstructionPairs(RGB, { seed: 3 }).length), ...a.slice(0, buildInstructionPairs(SAR, { seed: 3 }).length)]);
    const texts = new Set<string>();
    for (let seed = 0; seed < 20; seed++) texts.add(buildInstructionPairs(SAR, { seed }).map((p) => p.instruction).join('|'));
    expect(texts.size).toBeGreaterThan(1);
    const ref = buildInstructionPairs(RGB, { seed: 5, tasks: ['referring'] })[0];
    const listed = /The classes are: (.*)\.$/.exec(ref.instruction)?.[1].split(', ') ?? [];
    expect([...listed].sort()).toEqual([...new Set(SOI_DET_CLASSES.filter((c) => c.modality === 'rgb').map((c) => c.concept))].sort());
  });

  it('an image without objects gets the empty caption and no grounding', () => {
    const empty: DetectionSample = { ...SAR, id: 'e', boxes: new Float64Array(0), labels: new Int32Array(0), difficult: new Uint8Array(0) };
    const pairs = buildInstructionPairs(empty, { templates: FIRST, negatives: 0 });
    expect(pairs.map((p) => p.response)).toEqual(['The image contains no annotated objects.']);
  });

  it('fails clearly on a bad label or template placeholder', () => {
    expect(() => buildInstructionPairs({ ...RGB, labels: Int32Array.of(99) })).toThrow(/sample rgb\/test\/p: box 0 has label 99, outside the 26-class space/);
    expect(() => fillTemplate('How many {plurals}?', { plural: 'ships' })).toThrow(/unknown placeholder \{plurals\}/);
  });

  it('uses "an" before a vowel in every phrasing ("Is there an aircraft", never "a aircraft")', () => {
    const pairs = buildInstructionPairs(RGB, { templates: FIRST, negatives: 0, tasks: ['presence'] });
    expect(pairs.map((p) => p.instruction)).toEqual(['Is there an aircraft in the image?']);
    // All default phrasings over many seeds, with absent-concept questions too.
    for (let seed = 0; seed < 30; seed++) {
      for (const p of buildInstructionPairs(RGB, { seed, negatives: 5 })) expect(`${p.instruction} ${p.response}`).not.toMatch(/\ba [aeiou]/i);
    }
  });

  it('pluralises the concept vocabulary', () => {
    expect(['ship', 'aircraft', 'bus', 'storage tank', 'freight car', 'harbor', 'swimming pool'].map((c) => pluralOf(c, DEFAULT_INSTRUCTION_TEMPLATES))).toEqual(['ships', 'aircraft', 'buses', 'storage tanks', 'freight cars', 'harbors', 'swimming pools']);
  });
});

describe('instruction JSONL', () => {
  it('round-trips through an atomic write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-instr-'));
    try {
      const file = path.join(dir, 'sub', 'pairs.jsonl');
      const pairs = buildInstructionSet([SAR, RGB], { seed: 1 });
      writeInstructionsJsonl(file, pairs);
      expect(readInstructionsJsonl(file)).toEqual(pairs);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['pairs.jsonl']);
      expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(pairs.length + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('names the line and field of malformed input', () => {
    const good = '{"id":"a#0","sampleId":"a","modality":"sar","imagePath":"a.png","task":"counting","instruction":"q","response":"r"}';
    expect(parseInstructionsJsonl(`${good}\n\n${good}\n`, 'x.jsonl')).toHaveLength(2);
    expect(() => parseInstructionsJsonl(`${good}\n{"id": oops}\n`, 'x.jsonl')).toThrow(/^x\.jsonl line 2: invalid JSON/);
    expect(() => parseInstructionsJsonl(`${good}\n${good.replace('"response":"r"', '"response":3')}`, 'x.jsonl')).toThrow('x.jsonl line 2 response: expected a string, got 3');
    expect(() => parseInstructionsJsonl(good.replace('"task":"counting",', ''), 'x.jsonl')).toThrow('x.jsonl line 1 task: expected one of counting, presence, grounding, referring, caption, got nothing (field missing)');
    expect(() => parseInstructionsJsonl(good.replace('"sar"', '"lidar"'), 'x.jsonl')).toThrow(/line 1 modality: expected one of sar, rgb, ir, got "lidar"/);
    expect(() => parseInstructionsJsonl('[1,2]', 'x.jsonl')).toThrow(/line 1: expected a JSON object per line/);
    expect(() => readInstructionsJsonl('/nonexistent/p.jsonl')).toThrow(/\/nonexistent\/p\.jsonl: cannot read instruction file/);
    // A UTF-8 BOM (Windows editors) is tolerated, as by the other readers.
    expect(parseInstructionsJsonl(`\ufeff${good}\r\n`, 'bom.jsonl').map((p) => p.id)).toEqual(['a#0']);
  });
});
