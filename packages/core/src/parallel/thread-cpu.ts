// CPU time of the calling thread (Linux: /proc/thread-self/stat, utime + stime in clock ticks of
// 10 ms). On a machine shared with other jobs wall times say little; CPU time says how much work
// a thread did, so a data-parallel step's split of the work is visible even when no core is free.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every mainstream Linux build

/** CPU milliseconds this thread has used so far, or null where /proc/thread-self is missing. */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS; // #14 utime, #15 stime
  } catch {
    return null;
  }
}
