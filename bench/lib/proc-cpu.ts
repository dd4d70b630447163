// CPU time a process has used, all its threads, from /proc (Linux): user + system seconds.
// Dividing a server's CPU by the work it did gives a cost per request or per GB that other
// load on a shared machine barely moves, unlike throughput.
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100; // USER_HZ; 100 on every Linux architecture Debian ships

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
