import { Module, StateDictError, assignValue, isClean, type LoadStateDictReport } from '../nn/module.js';
import { SafetensorsFile } from './safetensors-reader.js';
import { writeSafetensors, type WriteSafetensorsOptions } from './safetensors-writer.js';

export interface LoadSafetensorsOptions {
  strict?: boolean;
  /**
   * Renames checkpoint keys to this module's names (e.g. strip a `module.` prefix, or map
   * InternViT names to timm names); return null to drop a key.
   */
  keyMap?: (key: string) => string | null;
}

/**
 * Loads a safetensors checkpoint into `module`, streaming: keys and shapes are checked from the
 * header first (strict mode throws one `StateDictError` before any data is read), then each
 * tensor is read, assigned and released one at a time.
 */
export function loadSafetensorsIntoModule(module: Module, path: string, opts: LoadSafetensorsOptions = {}): LoadStateDictReport {
  const file = SafetensorsFile.open(path);
  try {
    const fileKeyOf = new Map<string, string>();
    const shapes: Record<string, number[]> = {};
    for (const key of file.keys()) {
      const name = opts.keyMap ? opts.keyMap(key) : key;
      if (name === null) continue;
      if (fileKeyOf.has(name)) throw new Error(`loadSafetensorsIntoModule ${path}: keys "${fileKeyOf.get(name)}" and "${key}" both map to "${name}"`);
      fileKeyOf.set(name, key);
      shapes[name] = file.info(key).shape;
    }
    const report = module.checkStateDict(shapes);
    if ((opts.strict ?? true) && !isClean(report)) throw new StateDictError(`${module.constructor.name} from ${path}`, report);
    const params = module.stateDict();
    for (const name of report.loaded) {
      const t = file.readTensor(fileKeyOf.get(name)!);
      try {
        assignValue(params[name], t);
      } finally {
        t.dispose();
      }
    }
    return report;
  } finally {
    file.close();
  }
}

/** Saves `module.stateDict()` as safetensors (atomic). Tied parameters are stored under each name. */
export function saveModuleSafetensors(module: Module, path: string, opts: WriteSafetensorsOptions = {}): void {
  writeSafetensors(path, module.stateDict(), opts);
}
