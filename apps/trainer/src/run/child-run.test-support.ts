/**
 * TEST SUPPORT ONLY: a child process that runs the toy stage through `runStage`, for the tests
 * that need a real process (kill -9 in the middle of a checkpoint save, Ctrl-C).
 * argv: <runDir> <mode: kill-mid-save | sigint> [steps]
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@babelrs/core';
import { exitCodeOf, oneLine } from '../errors.js';
import { CheckpointStore } from './checkpoint-store.js';
import { EventLog } from './event-log.js';
import { runStage } from './stage-runner.js';
import { StopSignal } from './stop-signal.js';
import { ToySession } from './toy-session.test-support.js';

const [dir, mode, stepsArg] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
await initBackend({ prefer: 'cpu' });
let saves = 0;
const store = new CheckpointStore(path.join(dir, 'checkpoints'), 'finetune', 3, {
  onPhase: (phase) => {
    if (mode !== 'kill-mid-save' || phase !== 'weights-written') return;
    saves++;
    if (saves === 2) {
      process.stdout.write('MID-SAVE\n');
      // Hold here (weights written, state.json not yet) until the parent kills us.
      const until = Date.now() + 60_000;
      while (Date.now() < until);
    }
  },
});
const stop = new StopSignal().install();
const session = new ToySession({ steps: Number(stepsArg ?? 12), stepDelayMs: mode === 'sigint' ? 40 : 0 });
try {
  await runStage(session, { store, events: new EventLog(path.join(dir, 'events.jsonl')), checkpointEvery: 4, nanPatience: 3, stop, progress: { tty: false, write: (l) => process.stdout.write(`${l}\n`) } });
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`babelrs: ${oneLine(err)}\n`);
  process.exitCode = exitCodeOf(err);
} finally {
  stop.dispose();
  await session.close();
}
