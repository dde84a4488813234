// The same reference cases, written as COCO JSON / DOTA files under fixtures/metrics-cases/std/,
// through the CLI (in-process), plus the CLI's error handling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { CASES_DIR, loadCase } from './testing/reference-case.js';
import { expectAllClose, expectClose, F64_TOL } from './testing/expect-close.js';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hmap-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runCli(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function runCase(id: string, protocol: string): any {
  const dir = path.join(CASES_DIR, 'std', id);
  const isDota = fs.existsSync(path.join(dir, 'labelTxt'));
  const json = path.join(tmp, `${id}.json`);
  const { code, out, err } = runCli([
    '--protocol', protocol,
    '--gt', path.join(dir, isDota ? 'labelTxt' : 'gt_coco.json'),
    '--dets', path.join(dir, isDota ? 'dets' : 'dets_coco.json'),
    '--modalities', path.join(dir, 'modalities.json'),
    '--json', json,
  ]);
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toContain('H-mAP');
  return JSON.parse(fs.readFileSync(json, 'utf8'));
}

/** Compares per-class APs by class name (DOTA readers order classes by name). */
function checkPerClass(perClass: any[], expected: any[], field: (e: any) => number | null, label: string): void {
  for (const e of expected) {
    const got = perClass.find((c) => c.name === e.name);
    expect(got, `${label} class ${e.name}`).toBeDefined();
    expectClose(got.ap ?? Number.NaN, field(e), F64_TOL, `${label} ${e.name}`);
  }
}

describe('reference cases from standard files through the CLI', () => {
  it.each([
    ['hbb_voc07_11pt_a', 'voc07'],
    ['hbb_voc07_11pt_b', 'voc07'],
    ['hbb_voc_area_a', 'voc'],
    ['hbb_voc_area_b', 'voc'],
  ])('%s (%s, COCO JSON input, ignore:1 = difficult)', (id, protocol) => {
    const e = loadCase(id).expected;
    const r = runCase(id, protocol);
    expect(r.protocol).toBe(protocol);
    expectClose(r.mAP, e.all.mAP_f64, F64_TOL, 'mAP');
    checkPerClass(r.perClass, e.all.per_class, (c) => c.ap_f64, 'all');
    for (const [m, b] of Object.entries<any>(e.per_modality)) {
      expectClose(r.perModality[m].mAP, b.mAP_f64, F64_TOL, `${m} mAP`);
      checkPerClass(r.perModality[m].perClass, b.per_class, (c) => c.ap_f64, m);
    }
    expectClose(r.hmap, e.H_mAP, F64_TOL, 'H_mAP');
  });

  it('obb_dota_voc07 (dota, labelTxt + Task1 files, empty Task1 file declares its class)', () => {
    const e = loadCase('obb_dota_voc07').expected;
    const r = runCase('obb_dota_voc07', 'dota');
    expect(r.perClass.map((c: any) => c.name).sort()).toEqual(e.all.per_class.map((c: any) => c.name).sort());
    expectClose(r.mAP, e.all.mAP, F64_TOL, 'mAP');
    expectClose(r.mAPClassesWithGt, e.all.mAP_classes_with_gt, F64_TOL, 'mAP_classes_with_gt');
    checkPerClass(r.perClass, e.all.per_class, (c) => c.ap, 'all');
    for (const [m, b] of Object.entries<any>(e.per_modality)) expectClose(r.perModality[m].mAP, b.mAP, F64_TOL, `${m} mAP`);
    expectClose(r.hmap, e.H_mAP, F64_TOL, 'H_mAP');
    expectClose(r.hmapClassesWithGt, e.H_mAP_classes_with_gt, F64_TOL, 'H_mAP_classes_with_gt');
  });

  it('coco_map_50_95 (coco, iscrowd:1 = crowd)', () => {
    const e = loadCase('coco_map_50_95').expected;
    const r = runCase('coco_map_50_95', 'coco');
    for (const [k, v] of Object.entries<number>(e.all.stats)) expectClose(r.cocoStats[k], v, F64_TOL, k);
    checkPerClass(r.perClass, e.all.per_class, (c) => c.ap, 'all');
    for (const [m, b] of Object.entries<any>(e.per_modality)) {
      for (const [k, v] of Object.entries<number>(b.stats)) expectClose(r.perModality[m].cocoStats[k], v, F64_TOL, `${m} ${k}`);
    }
    expectClose(r.hmap, e.H_mAP, F64_TOL, 'H_mAP');
  });

  it('obb_soi_map_50_95 (soi, DOTA files)', () => {
    const e = loadCase('obb_soi_map_50_95').expected;
    const r = runCase('obb_soi_map_50_95', 'soi');
    expectClose(r.mAP, e.all.mAP_50_95, F64_TOL, 'mAP');
    expectClose(r.AP50, e.all.AP50, F64_TOL, 'AP50');
    expectClose(r.AP75, e.all.AP75, F64_TOL, 'AP75');
    expectAllClose(r.mAPPerThreshold, e.all.mAP_per_threshold, F64_TOL, 'mAP_per_threshold');
    checkPerClass(r.perClass, e.all.per_class, (c) => c.ap_50_95, 'all');
    for (const [m, b] of Object.entries<any>(e.per_modality)) expectClose(r.perModality[m].mAP, b.mAP_50_95, F64_TOL, `${m} mAP`);
    expectClose(r.hmap, e.H_mAP, F64_TOL, 'H_mAP');
    expect(r.summary.rows.map((row: any) => row.modality).sort()).toEqual(['ir', 'rgb']);
  });

  it('protocol variants from the command line: devkit all-point, soi difficult ignored / images without GT dropped', () => {
    const run = (id: string, args: string[]): any => {
      const dir = path.join(CASES_DIR, 'std', id);
      const json = path.join(tmp, `${id}-variant.json`);
      const { code } = runCli([...args, '--gt', path.join(dir, 'labelTxt'), '--dets', path.join(dir, 'dets'), '--json', json, '--quiet']);
      expect(code).toBe(0);
      return JSON.parse(fs.readFileSync(json, 'utf8'));
    };
    const dota = loadCase('obb_dota_voc07').expected.variants.devkit_area_all_point;
    const r = run('obb_dota_voc07', ['--protocol', 'dota', '--dota-all-point']);
    expect(r.mAP).toBeNull(); // NaN: a class without positives has NaN AP under the area metric
    expectClose(r.mAPClassesWithGt, dota.mAP_classes_with_gt, F64_TOL, 'dota all-point mAP_classes_with_gt');
    const v = loadCase('obb_soi_map_50_95').expected.variants;
    expectClose(run('obb_soi_map_50_95', ['--protocol', 'soi', '--soi-difficult-ignored']).mAP, v.difficult_ignored.mAP_50_95, F64_TOL, 'soi difficult ignored');
    const dropped = run('obb_soi_map_50_95', ['--protocol', 'soi', '--soi-drop-images-without-gt']).mAP;
    expectClose(dropped, v.dataset_loader_drops_images_without_gt.mAP_50_95, F64_TOL, 'soi images without GT dropped');
  });

  it('one dataset per modality with its own protocol: global mAP over the union of classes, H-mAP', () => {
    const std = path.join(CASES_DIR, 'std');
    const json = path.join(tmp, 'mixed.json');
    const { code, err } = runCli([
      '--modality', `sar:coco:${std}/coco_map_50_95/gt_coco.json:${std}/coco_map_50_95/dets_coco.json`,
      '--modality', `rgb:soi:${std}/obb_soi_map_50_95/labelTxt:${std}/obb_soi_map_50_95/dets`,
      '--json', json,
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(fs.readFileSync(json, 'utf8'));
    const coco = loadCase('coco_map_50_95').expected.all;
    const soi = loadCase('obb_soi_map_50_95').expected.all;
    expect(r.protocol).toBe('mixed');
    expectClose(r.perModality.sar.mAP, coco.mAP, F64_TOL, 'sar');
    expectClose(r.perModality.rgb.mAP, soi.mAP_50_95, F64_TOL, 'rgb');
    const aps = [...coco.per_class.filter((c: any) => c.in_map).map((c: any) => c.ap), ...soi.per_class.filter((c: any) => c.in_map).map((c: any) => c.ap_50_95)];
    expectClose(r.mAP, aps.reduce((a: number, b: number) => a + b, 0) / aps.length, F64_TOL, 'global mAP');
    expectClose(r.hmap, 2 / (1 / coco.mAP + 1 / soi.mAP_50_95), F64_TOL, 'H-mAP');
    expect(r.perClass.filter((c: any) => c.modality === 'sar')).toHaveLength(coco.per_class.length);
  });
});

describe('CLI errors', () => {
  const write = (name: string, text: string): string => {
    const p = path.join(tmp, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const gt = write('err/gt.json', JSON.stringify({
    images: [{ id: 1, file_name: 'a.png' }],
    categories: [{ id: 1, name: 'ship' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }],
  }));

  it('missing file: names it, exit code 1', () => {
    const r = runCli(['--protocol', 'coco', '--gt', path.join(tmp, 'nope.json'), '--dets', gt]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope.json');
    expect(r.err).toMatch(/not found/);
  });

  it('unknown image id and unknown category in results name the entry', () => {
    const badImg = write('err/img.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }, { image_id: 7, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }]));
    let r = runCli(['--protocol', 'coco', '--gt', gt, '--dets', badImg]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('img.json [1].image_id: unknown image id 7 (not in the ground truth)');
    const badCat = write('err/cat.json', JSON.stringify([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 0.5 }]));
    r = runCli(['--protocol', 'coco', '--gt', gt, '--dets', badCat]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cat.json [0].category_id: unknown category id 3');
  });

  it('NaN score (Python json.dump writes a bare NaN) and a string score', () => {
    const nan = write('err/nan.json', '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5},\n {"image_id": 1, "score": NaN, "category_id": 1, "bbox": [0, 0, 1, 1]}]');
    let r = runCli(['--protocol', 'voc', '--gt', gt, '--dets', nan]);
    expect(r.code).toBe(1);
    // file, line and column of the bare NaN (line 2, column 27), not just the file.
    expect(r.err).toContain('nan.json line 2: invalid JSON: bare NaN at column 27');
    const str = write('err/str.json', '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": "nan"}]');
    r = runCli(['--protocol', 'voc', '--gt', gt, '--dets', str]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('str.json [0].score: score must be a finite number, got "nan"');
  });

  it('malformed DOTA lines name file and line', () => {
    const labels = path.join(tmp, 'err/dota/labelTxt');
    const dets = path.join(tmp, 'err/dota/dets');
    write('err/dota/labelTxt/P1.txt', 'imagesource:GoogleEarth\ngsd:0.5\n0 0 10 0 10 10 0 10 ship 0\n0 0 10 0 10 ship 0\n');
    write('err/dota/dets/Task1_ship.txt', 'P1 0.9 0 0 10 0 10 10 0 10\n');
    let r = runCli(['--protocol', 'dota', '--gt', labels, '--dets', dets]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${path.join(labels, 'P1.txt')} line 4: expected 10 fields`);
    write('err/dota/labelTxt/P1.txt', '0 0 10 0 10 10 0 10 ship 0\n');
    write('err/dota/dets/Task1_ship.txt', 'P1 0.9 0 0 10 0 10 10 0 10\nP2 0.8 0 0 10 0 10 10 0 10\n');
    r = runCli(['--protocol', 'dota', '--gt', labels, '--dets', dets]);
    expect(r.err).toContain('Task1_ship.txt line 2: unknown image "P2"');
    write('err/dota/dets/Task1_ship.txt', 'P1 nan 0 0 10 0 10 10 0 10\n');
    r = runCli(['--protocol', 'dota', '--gt', labels, '--dets', dets]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Task1_ship.txt line 1: score is not a finite number: "nan"');
    write('err/dota/dets/Task1_ship.txt', 'P1 0.9 0 0 10 0 10 10 0 10\n');
    r = runCli(['--protocol', 'dota', '--gt', labels, '--dets', dets, '--classes', 'plane']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown class "ship"/);
  });

  it('bad arguments: unknown protocol, malformed --modality (usage, exit 2), missing image in the modality map (input, exit 1)', () => {
    expect(runCli(['--protocol', 'map50', '--gt', gt, '--dets', gt]).code).toBe(2);
    const r = runCli(['--modality', 'sar:coco:onlythree']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected <name>:<protocol>:<gt>:<dets>');
    const dets = write('err/ok.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const map = write('err/mod.json', JSON.stringify({ 'b.png': 'sar' }));
    const r2 = runCli(['--protocol', 'coco', '--gt', gt, '--dets', dets, '--modalities', map]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('image "a.png" has no modality');
    const r4 = runCli(['--protocol', 'coco', '--gt', gt]);
    expect(r4.code).toBe(2);
    expect(r4.err).toBe('babelrs-hmap: arguments: missing --dets (or give one --modality <name>:<protocol>:<gt>:<dets> per modality) (see --help)');
    const r3 = runCli(['--modality', `sar:coco:${gt}:${dets}`, '--classes', 'ship']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('--classes: not with --modality');
  });

  it('a --json path that cannot be written: one line naming it, exit 1, no crash, no temp file left', () => {
    const dets = write('err/ok3.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const folder = path.join(tmp, 'err/a-folder');
    fs.mkdirSync(path.join(folder, 'inside'), { recursive: true });
    const r = runCli(['--protocol', 'coco', '--gt', gt, '--dets', dets, '--json', folder, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`babelrs-hmap: --json ${folder}: cannot write the result`);
    expect(fs.readdirSync(path.dirname(folder)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A parent that is a file, not a folder.
    const r2 = runCli(['--protocol', 'coco', '--gt', gt, '--dets', dets, '--json', path.join(dets, 'out.json'), '--quiet']);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/--json .*ok3\.json[/\\]out\.json: cannot create the output folder .*ok3\.json/);
  });

  it('--modality with coco on DOTA polygons names the spec', () => {
    const std = path.join(CASES_DIR, 'std', 'obb_soi_map_50_95');
    const spec = `rgb:coco:${std}/labelTxt:${std}/dets`;
    const r = runCli(['--modality', spec]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`--modality ${spec}: the coco protocol needs COCO JSON`);
  });

  it('--protocol next to --modality is an error (each --modality names its protocol)', () => {
    const dets = write('err/ok4.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const r = runCli(['--protocol', 'voc', '--modality', `sar:coco:${gt}:${dets}`]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--protocol: not with --modality');
  });

  it('writes the JSON atomically and leaves no temp file', () => {
    const dets = write('err/ok2.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const out = path.join(tmp, 'atomic/out.json');
    const r = runCli(['--protocol', 'coco', '--gt', gt, '--dets', dets, '--json', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    // pycocotools' precision is tp / (tp + fp + 2.2e-16): a perfect detector scores 1 − 2.2e-16.
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).mAP).toBeCloseTo(1, 12);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['out.json']);
  });

  it('conflicting or pointless flags are usage errors (exit 2), not silently ignored', () => {
    const dets = write('err/ok5.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const base = ['--protocol', 'coco', '--gt', gt, '--dets', dets];
    let r = runCli([...base, '--legacy-plus1']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('babelrs-hmap: --legacy-plus1: only applies to protocol voc / voc07, not coco (see --help)');
    r = runCli([...base, '--dota-all-point']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dota-all-point: only applies to protocol dota');
    r = runCli([...base, '--soi-difficult-ignored']);
    expect(r.code).toBe(2);
    r = runCli([...base, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--quiet: without --json the result would go nowhere');
    r = runCli([...base, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    // The same flag where it applies is fine.
    expect(runCli(['--protocol', 'voc', '--gt', gt, '--dets', dets, '--legacy-plus1']).code).toBe(0);
  });

  it('a --json folder that cannot exist (below /proc) fails fast with exit 1 instead of hanging', () => {
    const dets = write('err/ok6.json', JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]));
    const t0 = Date.now();
    const r = runCli(['--protocol', 'coco', '--gt', gt, '--dets', dets, '--json', '/proc/no-such/dir/out.json', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^babelrs-hmap: --json \/proc\/no-such\/dir\/out\.json: cannot create the output folder \/proc\/no-such/);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(20_000); // it used to spin for ever in mkdir({ recursive: true })
  });

  it('errors are one line; --debug adds the stack', () => {
    const r = runCli(['--protocol', 'coco', '--gt', path.join(tmp, 'nope.json'), '--dets', gt]);
    expect(r.err.split('\n')).toHaveLength(1);
    const d = runCli(['--protocol', 'coco', '--gt', path.join(tmp, 'nope.json'), '--dets', gt, '--debug']);
    expect(d.code).toBe(1);
    expect(d.err.split('\n').length).toBeGreaterThan(2);
    expect(d.err).toMatch(/\n\s+at /);
  });

  it('H-mAP without modalities is undefined everywhere: table "-", JSON null', () => {
    const labels = path.join(tmp, 'nomod/labelTxt');
    write('nomod/labelTxt/P1.txt', '0 0 10 0 10 10 0 10 ship 0\n');
    write('nomod/dets/Task1_ship.txt', 'P1 0.9 0 0 10 0 10 10 0 10\n');
    const out = path.join(tmp, 'nomod/out.json');
    const r = runCli(['--protocol', 'dota', '--gt', labels, '--dets', path.join(tmp, 'nomod/dets'), '--json', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('H-mAP (classes with GT): -');
    expect(r.out).not.toMatch(/H-mAP[^\n]*0\.00/);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(doc.hmap).toBeNull();
    expect(doc.hmapClassesWithGt).toBeNull();
    expect(doc.summary.hmap).toBeNull();
  });
});
