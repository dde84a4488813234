import { packageBuildConfig } from '../../tsup.shared.ts';

// DataParallel starts worker threads on dist/replica-worker.js: build it as its own entry.
const base = packageBuildConfig();
export default { ...base, entry: { index: 'src/index.ts', 'replica-worker': 'src/parallel/replica-worker.ts' } };
