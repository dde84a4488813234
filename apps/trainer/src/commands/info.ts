import { initBackend, tf, type BackendPreference } from '@babelrs/core';

export interface InfoOptions {
  backend?: BackendPreference;
  json?: boolean;
}

/** `babelrs info`: which tfjs backend this machine gets, and why the faster ones were skipped. */
export async function infoCommand(opts: InfoOptions, out: (line: string) => void = console.log): Promise<number> {
  const report = await initBackend(opts.backend ? { prefer: opts.backend } : {});
  if (opts.json) {
    out(JSON.stringify({ ...report, tfjsVersion: tf.version.tfjs, node: process.version }, null, 2));
    return 0;
  }
  out(`babelrs: ${report.summary}`);
  out(`tfjs ${tf.version.tfjs}, node ${process.version}`);
  for (const a of report.attempts) out(`  ${a.ok ? 'ok  ' : 'skip'} ${a.candidate}${a.reason ? `: ${a.reason}` : ''}`);
  return 0;
}
