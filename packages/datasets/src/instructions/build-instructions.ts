/**
 * CSIA instruction data from detection annotations. Every question and answer uses the class's
 * `concept` name, which is the same word in every modality (SAR `ship`, DOTA `ship` → "ship";
 * DOTA `small-vehicle`, DroneVehicle `car` → "car"): language is the pivot that aligns SAR, RGB
 * and IR features without paired images.
 *
 * Tasks (as in the BabelRS paper): counting, presence, grounding (`<box>[[x1, y1, x2, y2]]</box>`
 * with coordinates normalised to integers 0–1000; an OBB is grounded by its enclosing HBB),
 * referring classification, and a short caption listing the objects.
 */
import { obbToHbb } from '@babelrs/boxes';
import { SOI_DET_CLASSES, classesOfModality, type UnifiedClass } from '../classes.js';
import type { DetectionSample } from '../sample.js';
import { Prng, hashSeed } from '../sampling/prng.js';
import { INSTRUCTION_TASKS, type InstructionPair, type InstructionTask } from './instruction-pair.js';
import { DEFAULT_INSTRUCTION_TEMPLATES, articleOf, fillTemplate, pluralOf, type InstructionTemplates } from './templates.js';

export interface InstructionBuildOptions {
  seed?: number;
  /** Which tasks to emit (default: all, in the order of `INSTRUCTION_TASKS`). */
  tasks?: readonly InstructionTask[];
  templates?: InstructionTemplates;
  classes?: readonly UnifiedClass[];
  /** Questions about absent concepts per sample, for counting and presence each (default 1). */
  negatives?: number;
  /** Grounding questions are skipped for concepts with more boxes than this (default 20). */
  maxGroundingBoxes?: number;
  /** Referring-classification questions per sample (default 2). */
  referringPerSample?: number;
  /** Shuffle the class list in referring questions, so answers are not positional (default true). */
  shuffleClassList?: boolean;
}

interface ConceptGroup {
  concept: string;
  /** Box indices in annotation order. */
  boxes: number[];
}

/** Instruction/response pairs for one sample; deterministic in (seed, sample id). */
export function buildInstructionPairs(sample: DetectionSample, opts: InstructionBuildOptions = {}): InstructionPair[] {
  const t = opts.templates ?? DEFAULT_INSTRUCTION_TEMPLATES;
  const classes = opts.classes ?? SOI_DET_CLASSES;
  const tasks = opts.tasks ?? INSTRUCTION_TASKS;
  const rng = new Prng(hashSeed(opts.seed ?? 0, stringHash(sample.id)));
  const vocabulary = unique(classesOfModality(sample.modality, classes).map((c) => c.concept));
  const groups = groupByConcept(sample, classes);
  const absent = rng.shuffle(vocabulary.filter((c) => !groups.some((g) => g.concept === c)));
  const negatives = absent.slice(0, opts.negatives ?? 1);
  const hbbs = normalisedHbbs(sample);
  // `article` goes with every concept word: "Is there an aircraft", never "a aircraft".
  const word = (concept: string) => ({ singular: concept, plural: pluralOf(concept, t), article: articleOf(concept), Article: capitalise(articleOf(concept)) });
  const qa: [InstructionTask, string, string][] = [];

  for (const task of tasks) {
    if (task === 'counting') {
      for (const g of groups) qa.push([task, fillTemplate(rng.pick(t.counting.questions), word(g.concept)), countAnswer(t, g.concept, g.boxes.length)]);
      for (const c of negatives) qa.push([task, fillTemplate(rng.pick(t.counting.questions), word(c)), countAnswer(t, c, 0)]);
    } else if (task === 'presence') {
      if (groups.length > 0) qa.push([task, fillTemplate(rng.pick(t.presence.questions), word(rng.pick(groups).concept)), t.presence.yes]);
      for (const c of negatives) qa.push([task, fillTemplate(rng.pick(t.presence.questions), word(c)), t.presence.no]);
    } else if (task === 'grounding') {
      for (const g of groups) {
        if (g.boxes.length > (opts.maxGroundingBoxes ?? 20)) continue;
        const q = rng.pick(g.boxes.length === 1 ? t.grounding.questionsOne : t.grounding.questionsMany);
        const boxes = formatBoxes(t, g.boxes.map((i) => hbbs[i]));
        qa.push([task, fillTemplate(q, word(g.concept)), fillTemplate(t.grounding.answer, { ...word(g.concept), boxes })]);
      }
    } else if (task === 'referring') {
      const picked = rng.shuffle([...Array(hbbs.length).keys()]).slice(0, opts.referringPerSample ?? 2);
      for (const i of picked) {
        const concept = classes[sample.labels[i]].concept;
        const list = opts.shuffleClassList === false ? vocabulary : rng.shuffle([...vocabulary]);
        const q = fillTemplate(rng.pick(t.referring.questions), { box: formatBoxes(t, [hbbs[i]]), classes: list.join(', ') });
        qa.push([task, q, fillTemplate(t.referring.answer, word(concept))]);
      }
    } else if (task === 'caption') {
      const list = joinList(groups.map((g) => (g.boxes.length === 1 ? `${articleOf(g.concept)} ${g.concept}` : `${g.boxes.length} ${pluralOf(g.concept, t)}`)));
      qa.push([task, rng.pick(t.caption.questions), groups.length ? fillTemplate(t.caption.list, { list }) : t.caption.empty]);
    } else {
      throw new RangeError(`buildInstructionPairs: unknown task '${task as string}', expected one of ${INSTRUCTION_TASKS.join(', ')}`);
    }
  }
  return qa.map(([task, instruction, response], k) => ({
    id: `${sample.id}#${k}`,
    sampleId: sample.id,
    modality: sample.modality,
    imagePath: sample.imagePath,
    task,
    instruction,
    response,
  }));
}

/** Pairs for many samples (each sample's pairs depend only on the seed and its id). */
export function buildInstructionSet(samples: Iterable<DetectionSample>, opts: InstructionBuildOptions = {}): InstructionPair[] {
  const out: InstructionPair[] = [];
  for (const s of samples) out.push(...buildInstructionPairs(s, opts));
  return out;
}

/** Boxes as integer `[x1, y1, x2, y2]` in 0–1000 of the image size (OBB → enclosing HBB). */
export function normalisedHbbs(sample: DetectionSample): [number, number, number, number][] {
  const hbb = sample.boxType === 'hbb' ? sample.boxes : obbToHbb(sample.boxes);
  const out: [number, number, number, number][] = [];
  const nx = (v: number) => Math.min(1000, Math.max(0, Math.round((v / sample.width) * 1000)));
  const ny = (v: number) => Math.min(1000, Math.max(0, Math.round((v / sample.height) * 1000)));
  for (let i = 0; i < hbb.length; i += 4) out.push([nx(hbb[i]), ny(hbb[i + 1]), nx(hbb[i + 2]), ny(hbb[i + 3])]);
  return out;
}

function groupByConcept(sample: DetectionSample, classes: readonly UnifiedClass[]): ConceptGroup[] {
  const byConcept = new Map<string, ConceptGroup & { order: number }>();
  sample.labels.forEach((label, i) => {
    const cls = classes[label];
    if (!cls) throw new RangeError(`sample ${sample.id}: box ${i} has label ${label}, outside the ${classes.length}-class space`);
    const g = byConcept.get(cls.concept) ?? { concept: cls.concept, boxes: [], order: label };
    g.boxes.push(i);
    g.order = Math.min(g.order, label);
    byConcept.set(cls.concept, g);
  });
  // Class-list order, so the same objects always give the same text.
  return [...byConcept.values()].sort((a, b) => a.order - b.order).map(({ concept, boxes }) => ({ concept, boxes }));
}

function countAnswer(t: InstructionTemplates, concept: string, n: number): string {
  const values = { singular: concept, plural: pluralOf(concept, t), article: articleOf(concept), Article: capitalise(articleOf(concept)), count: n };
  return fillTemplate(n === 0 ? t.counting.zero : n === 1 ? t.counting.one : t.counting.many, values);
}

function formatBoxes(t: InstructionTemplates, boxes: readonly (readonly number[])[]): string {
  const inner = boxes.map((b) => `[${b.join(t.box.numberSeparator)}]`).join(t.box.boxSeparator);
  return `${t.box.open}[${inner}]${t.box.close}`;
}

/** "a", "a and b", "a, b and c". */
function joinList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** FNV-1a of a string: per-sample streams that do not depend on the sample's position. */
function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
