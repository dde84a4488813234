import { packageTestConfig } from '../vitest.shared.ts';

export default packageTestConfig({ testTimeoutMs: 300_000 });
