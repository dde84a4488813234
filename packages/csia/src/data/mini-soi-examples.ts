// CSIA training/evaluation examples from the synthetic mini-SOI scenes (@babelrs/datasets),
// rendered in memory: the image as a normalised 3-channel [3, H, W] array (SAR/IR grey repeated,
// the one shared ViT sees every modality with 3 channels) and the concept-shared instruction
// pairs the datasets builder writes for its annotations.
import {
  DEFAULT_NORMALIZATION,
  MODALITIES,
  buildInstructionPairs,
  normalizeImage,
  renderMiniSoiScene,
  type DetectionSample,
  type InstructionTask,
  type MiniSoiOptions,
  type MiniSoiScene,
  type Modality,
} from '@babelrs/datasets';

export interface CsiaImage {
  /** `<modality>_<index>` */
  id: string;
  modality: Modality;
  /** [3, size, size] normalised (per-modality statistics). */
  pixels: Float32Array;
  size: number;
  /** Objects with their concept word and box in pixels [x1, y1, x2, y2]. */
  objects: { concept: string; hbb: [number, number, number, number] }[];
}

export interface CsiaExample {
  /** Index into the image list. */
  image: number;
  modality: Modality;
  task: InstructionTask;
  instruction: string;
  response: string;
}

export interface MiniSoiExamplesOptions {
  modalities?: readonly Modality[];
  /** Scene indices per modality: [start, end). */
  range: [number, number];
  imageSize: number;
  seed?: number;
  tasks?: readonly InstructionTask[];
  /** Scene generator options (difficulty, objects, objectScale). */
  scene?: Omit<MiniSoiOptions, 'seed' | 'imageSize' | 'images'>;
}

/** The scene as the detection sample the instruction builder reads (OBB, le90). */
export function sceneToSample(scene: MiniSoiScene): DetectionSample {
  const boxes = new Float64Array(scene.objects.length * 5);
  scene.objects.forEach((o, i) => boxes.set(o.obb, i * 5));
  return {
    id: scene.stem,
    modality: scene.modality,
    imagePath: `${scene.stem}.png`,
    width: scene.image.width,
    height: scene.image.height,
    boxType: 'obb',
    boxes,
    labels: Int32Array.from(scene.objects.map((o) => o.label)),
    difficult: Uint8Array.from(scene.objects.map((o) => o.difficult)),
  };
}

/** Renders scenes and builds their instruction pairs (deterministic in the options). */
export function miniSoiExamples(opts: MiniSoiExamplesOptions): { images: CsiaImage[]; examples: CsiaExample[] } {
  const images: CsiaImage[] = [];
  const examples: CsiaExample[] = [];
  const seed = opts.seed ?? 0;
  for (const modality of opts.modalities ?? MODALITIES) {
    for (let index = opts.range[0]; index < opts.range[1]; index++) {
      const scene = renderMiniSoiScene(modality, index, { ...opts.scene, seed, imageSize: opts.imageSize });
      const pixels = normalizeImage(scene.image, { ...DEFAULT_NORMALIZATION[modality], outChannels: 3 }).data;
      const k = images.length;
      images.push({
        id: scene.stem,
        modality,
        pixels,
        size: opts.imageSize,
        objects: scene.objects.map((o) => ({ concept: o.concept, hbb: [o.hbb[0], o.hbb[1], o.hbb[2], o.hbb[3]] })),
      });
      for (const p of buildInstructionPairs(sceneToSample(scene), { seed, tasks: opts.tasks })) {
        examples.push({ image: k, modality, task: p.task, instruction: p.instruction, response: p.response });
      }
    }
  }
  return { images, examples };
}
