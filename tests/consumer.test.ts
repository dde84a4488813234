// What an npm user gets: build and `npm pack` packages, install the tarballs into a fresh
// folder (from the npm cache where it can), type-check a small program with default strict `tsc`
// settings, run it. Two consumers:
// - the tfjs-free packages (boxes, formats, datasets, metrics-hmap): no `skipLibCheck`, zero
//   errors, and the `babelrs-hmap` command runs;
// - a tfjs package (core + vit-backbone): tfjs 4.22's own declaration files do not compile under
//   TypeScript 6 defaults (core README "TypeScript consumers"), so this asserts exactly that:
//   without `skipLibCheck` every error lies in node_modules/@tensorflow, node_modules/@webgpu or
//   the lib.dom.d.ts that @webgpu/types collides with (none in @babelrs or the program), and with `skipLibCheck: true` — the one setting the README
//   documents — it type-checks clean and runs.
// Takes a few minutes (six builds): opt in with BABELRS_CONSUMER_TEST=1.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['boxes', 'formats', 'datasets', 'metrics-hmap'];
const enabled = process.env.BABELRS_CONSUMER_TEST === '1';
let tmp = '';
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const MAIN = `import { polyToObb } from '@babelrs/boxes';
import { FormatError, parseDotaTxt } from '@babelrs/formats';
import { SOI_DET_CLASSES, DatasetError } from '@babelrs/datasets';
import { createDataset, evaluateByModality } from '@babelrs/metrics-hmap';

const label = parseDotaTxt('0 0 4 0 4 4 0 4 ship 2\\n', 'a.txt');
const obb = polyToObb(label.objects[0].poly);
console.log('obb', Array.from(obb).map((v) => Math.round(v * 100) / 100).join(' '));
try {
  parseDotaTxt('0 0 4 0 ship 0', 'b.txt');
} catch (e) {
  if (e instanceof DatasetError && e instanceof FormatError) console.log('error', e.message);
}
const ds = createDataset({
  geometry: 'hbb',
  classes: ['ship'],
  images: [{ name: 'a', modality: 'sar' }],
  gts: [{ image: 'a', label: 'ship', box: [0, 0, 10, 10] }],
  dets: [{ image: 'a', label: 'ship', box: [0, 0, 10, 10], score: 0.9 }],
});
console.log('mAP', evaluateByModality(ds, 'voc').mAP, 'classes', SOI_DET_CLASSES.length > 0);
`;

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
}

describe.skipIf(!enabled)('npm consumer (BABELRS_CONSUMER_TEST=1)', () => {
  it('packs, installs, type-checks without skipLibCheck, runs, and runs babelrs-hmap', () => {
    if (!tmp) tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-consumer-'));
    const tarballs = PACKAGES.map((p) => {
      const dir = path.join(ROOT, 'packages', p);
      sh('npx', ['tsup'], dir);
      return path.join(tmp, sh('npm', ['pack', '--silent', '--pack-destination', tmp], dir).trim().split('\n').pop()!);
    });
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const deps = Object.fromEntries(PACKAGES.map((p, i) => [`@babelrs/${p}`, `file:${tarballs[i]}`]));
    // A Node project has @types/node: the version this checkout uses.
    const typesNode = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: deps, devDependencies: { '@types/node': typesNode } }));
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    fs.writeFileSync(path.join(app, 'main.ts'), MAIN);
    // Default strict settings for a Node ESM project; deliberately no skipLibCheck.
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, outDir: 'out', types: ['node'] }, files: ['main.ts'] }));
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(sh('node', ['out/main.js'], app)).toBe('obb 2 2 4 4 0\nerror b.txt line 1: polygon has 2 points, DOTA needs exactly 4 (8 coordinates, class, difficult); got 6 fields\nmAP 1 classes true\n');
    // The command: --help exits 0; a bad flag exits 2 with one line.
    expect(spawnSync(path.join(app, 'node_modules/.bin/babelrs-hmap'), ['--help'], { encoding: 'utf8' }).status).toBe(0);
    const bad = spawnSync(path.join(app, 'node_modules/.bin/babelrs-hmap'), ['--protocol', 'coco'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 600_000);

  it('tfjs packages: errors only inside tfjs\'s own .d.ts without skipLibCheck; clean with it; runs', () => {
    const app = install(['core', 'vit-backbone'], 'tfjs-app');
    fs.writeFileSync(path.join(app, 'main.ts'), TFJS_MAIN);
    const strict = { module: 'nodenext', target: 'es2022', strict: true, outDir: 'out', types: ['node'] };
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: strict, files: ['main.ts'] }));
    const bare = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: app, encoding: 'utf8' });
    const errorFiles = [...new Set((bare.stdout + bare.stderr).split('\n').filter((l) => /error TS\d+/.test(l)).map((l) => l.split('(')[0]))];
    expect(errorFiles.length).toBeGreaterThan(0); // if tfjs ever ships clean types, drop skipLibCheck from the README
    // tfjs's own .d.ts files, and TypeScript's lib.dom.d.ts where @webgpu/types 0.1.38 redeclares its names.
    expect(errorFiles.filter((f) => !/(^|\/)node_modules\/@(tensorflow|webgpu)\/|\/typescript\/lib\/lib\.dom\.d\.ts$/.test(f))).toEqual([]);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...strict, skipLibCheck: true }, files: ['main.ts'] }));
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(sh('node', ['out/main.js'], app)).toBe('backend cpu grid 14x14 sum 6\n');
  }, 600_000);
});

const TFJS_MAIN = `import { initBackend } from '@babelrs/core';
import { patchGrid } from '@babelrs/vit-backbone';
import * as tf from '@tensorflow/tfjs';

const report = await initBackend({ prefer: 'cpu' });
const [gh, gw] = patchGrid(16, 224);
const sum = tf.tidy(() => tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
console.log('backend', report.backend, 'grid', \`\${gh}x\${gw}\`, 'sum', sum);
`;

/** Builds and packs `packages`, installs the tarballs (+ @types/node) into a new folder `name`. */
function install(packages: string[], name: string): string {
  if (!tmp) tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-consumer-'));
  const tarballs = packages.map((p) => {
    const dir = path.join(ROOT, 'packages', p);
    sh('npx', ['tsup'], dir);
    return path.join(tmp, sh('npm', ['pack', '--silent', '--pack-destination', tmp], dir).trim().split('\n').pop()!);
  });
  const app = path.join(tmp, name);
  fs.mkdirSync(app);
  const deps = Object.fromEntries(packages.map((p, i) => [`@babelrs/${p}`, `file:${tarballs[i]}`]));
  // The program imports tfjs itself too: the version the packages use.
  if (packages.includes('core')) deps['@tensorflow/tfjs'] = '4.22.0';
  const typesNode = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: deps, devDependencies: { '@types/node': typesNode } }));
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional'], app);
  return app;
}
