// Configs as the CLI resolves them: a preset, a YAML file that `extends:` it, `--set` overrides,
// and the one-line error of a misspelt key.
// Run from the repository root: npx tsx --conditions=@babelrs/source apps/trainer/examples/configs.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, oneLine } from '@babelrs/trainer';

const paper = loadConfig({ preset: 'soi-det-paper' });
console.log('soi-det-paper pretrain:', JSON.stringify({ steps: paper.pretrain.steps, lr: paper.pretrain.lr, tau: paper.pretrain.tau, layers: paper.model.layers }));
console.log('soi-det-paper finetune:', JSON.stringify({ lr: paper.finetune.lr, layerDecay: paper.finetune.layerDecay, ratios: paper.finetune.ratios, precision: paper.finetune.precision, heads: paper.model.heads }));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-example-'));
const file = path.join(dir, 'concat.yaml');
fs.writeFileSync(file, 'extends: mini-soi\nname: mini-soi-concat\nmodel:\n  fusion: concat\n');
const c = loadConfig({ file, sets: ['finetune.steps=300', 'seed=7'] });
console.log('concat.yaml + --set:', JSON.stringify({ name: c.name, fusion: c.model.fusion, steps: c.finetune.steps, seed: c.seed, lr: c.finetune.lr }));

fs.writeFileSync(file, 'extends: mini-soi\nfinetune:\n  stpes: 300\n');
try {
  loadConfig({ file });
} catch (err) {
  console.log(oneLine(err).replace(dir, '<tmp>'));
}
fs.rmSync(dir, { recursive: true, force: true });
