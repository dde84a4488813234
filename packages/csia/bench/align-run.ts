// The "aligns, measurably" run: the tiny preset pretrained on mini-SOI within a time budget,
// with held-out counting / classification accuracy per modality and cross-modal retrieval
// top-1 before and after. Used by bench/index.ts (results → bench/results/csia.json).
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  VisionLanguageModel,
  crossModalRetrieval,
  csiaPreset,
  evaluateAnswers,
  miniSoiExamples,
  pretrain,
  trainBpeTokenizer,
  vlmConfigFor,
  type CsiaExample,
  type PretrainStepEvent,
} from '@babelrs/csia';

export interface AlignmentOptions {
  trainScenes: number;
  evalScenes: number;
  steps: number;
  /** Training stops at this many seconds even if `steps` are not done. */
  trainBudgetSec: number;
  evalPerGroup: number;
  log?: (line: string) => void;
}

const TASKS = ['counting', 'presence', 'referring'] as const;
const SCENE = { difficulty: 0, objectScale: 1.6, objects: [1, 4] as [number, number] };

export async function runAlignment(o: AlignmentOptions) {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const loadStart = os.loadavg();
  const preset = csiaPreset('tiny');
  const train = miniSoiExamples({ range: [0, o.trainScenes], imageSize: preset.imageSize, tasks: [...TASKS], scene: SCENE, seed: 0 });
  const held = miniSoiExamples({ range: [10000, 10000 + o.evalScenes], imageSize: preset.imageSize, tasks: ['counting', 'referring'], scene: SCENE, seed: 0 });
  const tokenizer = trainBpeTokenizer(train.examples.flatMap((e) => [e.instruction, e.response]), { maxMerges: 400 });
  const vlm = new VisionLanguageModel(vlmConfigFor(preset, tokenizer), { seed: 0 });
  const evalSet = subsample(held.examples, o.evalPerGroup);
  log(`data: ${train.images.length} train images, ${train.examples.length} examples; held-out ${held.images.length} images, ${evalSet.length} prompts; vocab ${tokenizer.vocabSize}; params ${vlm.numParameters()}`);
  const before = crossModalRetrieval(vlm.vit, held.images);
  log(`retrieval before: mean top-1 ${before.meanTop1.toFixed(3)} (chance ${before.meanChance.toFixed(3)})`);
  const trainStart = performance.now();
  const cpuTrain0 = process.cpuUsage();
  const res = await pretrain({
    vlm,
    tokenizer,
    images: train.images,
    examples: train.examples,
    steps: o.steps,
    batchSize: preset.train.batchSize,
    lr: preset.train.lr,
    warmupSteps: preset.train.warmupSteps,
    weightDecay: preset.train.weightDecay,
    clipNorm: preset.train.clipNorm,
    seed: 0,
    shouldStop: () => (performance.now() - trainStart) / 1000 > o.trainBudgetSec,
    onStep: (e) => {
      if (e.step % 20 === 0 || e.step === 1) log(`step ${e.step} loss ${e.loss.toFixed(3)} α ${e.alpha.toFixed(2)} |g| ${e.gradNorm.toFixed(2)} ${e.tokensPerSec.toFixed(0)} tok/s ${e.stepMs.toFixed(0)} ms`);
    },
  });
  const trainSec = (performance.now() - trainStart) / 1000;
  const trainCpu = process.cpuUsage(cpuTrain0);
  const after = crossModalRetrieval(vlm.vit, held.images);
  const answers = evaluateAnswers(vlm, tokenizer, held.images, evalSet, train.examples);
  log(`retrieval after: mean top-1 ${after.meanTop1.toFixed(3)}`);
  const h = res.history;
  const first = mean(h.slice(0, 10).map((e) => e.loss));
  const last = mean(h.slice(-10).map((e) => e.loss));
  const steady = h.slice(Math.min(5, h.length - 1));
  const result = {
    preset: 'tiny',
    scene: SCENE,
    tasks: TASKS,
    trainImages: train.images.length,
    trainExamples: train.examples.length,
    heldOutImages: held.images.length,
    heldOutPrompts: evalSet.length,
    vocabSize: tokenizer.vocabSize,
    parameters: vlm.numParameters(),
    steps: res.steps,
    stoppedByBudget: res.stopped,
    trainSeconds: trainSec,
    totalSeconds: (performance.now() - t0) / 1000,
    // CPU time of this process (user + system): what the run costs without the other jobs' load.
    trainCpuSeconds: (trainCpu.user + trainCpu.system) / 1e6,
    totalCpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
    loss: { first10: first, last10: last, ratio: last / first, curve: h.filter((e) => e.step % 10 === 0 || e.step === 1).map((e) => [e.step, round(e.loss)]) },
    stepMsMedian: median(steady.map((e) => e.stepMs)),
    tokensPerSecMedian: median(steady.map((e) => e.tokensPerSec)),
    answers,
    retrieval: { before: summarise(before), after: summarise(after) },
    loadavg: { start: loadStart, end: os.loadavg() },
  };
  vlm.dispose();
  return { result, history: h as PretrainStepEvent[], tensorsLeft: tf.memory().numTensors };
}

function summarise(r: ReturnType<typeof crossModalRetrieval>) {
  return { meanTop1: r.meanTop1, meanChance: r.meanChance, objects: r.objects, directions: r.directions.map((d) => ({ dir: `${d.query}→${d.gallery}`, top1: d.top1, n: d.n, chance: d.chance })) };
}

/** At most `per` examples of each modality/task, spread over the set. */
function subsample(examples: readonly CsiaExample[], per: number): CsiaExample[] {
  const groups = new Map<string, CsiaExample[]>();
  for (const e of examples) {
    const k = `${e.modality}/${e.task}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return [...groups.values()].flatMap((g) => {
    const stride = Math.max(1, g.length / per);
    return Array.from({ length: Math.min(per, g.length) }, (_, i) => g[Math.floor(i * stride)]);
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number) => Math.round(x * 1e4) / 1e4;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : Number.NaN;
}
