// Records finished run folders (e.g. `babelrs finetune --init runs/bench-mini-soi/pretrain/vit.safetensors
// --set finetune.steps=900 --out runs/ft900`) into bench/results/trainer.json under
// `finetuneStepsFollowUp.steps<N>`: what more fine-tuning steps give from the same pretrained ViT.
// Run from the repository root: npx tsx --conditions=@babelrs/source apps/trainer/bench/record-run.ts runs/ft900 …
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@babelrs/datasets';
import type { RunMetrics } from '../src/index.js';

// The repository's bench/results, whatever the working folder (nx runs benches in the package folder).
const file = fileURLToPath(new URL('../../../bench/results/trainer.json', import.meta.url));
const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
all.finetuneStepsFollowUp ??= {};
for (const dir of process.argv.slice(2)) {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as RunMetrics;
  const e = m.evaluation;
  all.finetuneStepsFollowUp[`steps${m.finetune.steps}`] = {
    command: `babelrs finetune --init ${m.finetune.init ?? 'none'} --set finetune.steps=${m.finetune.steps} --set finetune.warmupSteps=${m.config.finetune.warmupSteps}`,
    wallSeconds: m.seconds,
    note: 'same data and pretrained ViT as npmStart; the machine was shared (load 10-15): wall time is not an idle-machine time',
    perModality: Object.fromEntries(Object.entries(e.perModality).map(([k, v]) => [k, { AP50: v!.AP50, mAP: v!.mAP, images: v!.images }])),
    mAP: e.mAP,
    AP50: e.AP50,
    hmap: e.hmap,
  };
}
writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`);
