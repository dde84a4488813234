import { packageBuildConfig } from '../../tsup.shared.ts';

// fineTune({ workers }) starts core's DataParallel workers on dist/fine-tune-replica.js: build it as its own entry.
const base = packageBuildConfig();
export default { ...base, entry: { index: 'src/index.ts', 'fine-tune-replica': 'src/fine-tune-replica.ts' } };
