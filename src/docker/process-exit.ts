// A container's main process watched from the host's /proc: the earliest sign that a
// killed node is dead. The kernel makes a process a zombie (state Z) once it has exited and
// closed every file and socket; when the main process is its pid namespace's init, every
// other process of the container was killed and reaped before that. So "zombie or gone"
// is the container dead, seen tens of milliseconds before the engine reports it.
//
// A pid is trusted only when it is visibly the container's: /proc/<pid>/cgroup names the
// container id (the harness may run in another pid namespace, where the same number is
// another process or none), and its start time is kept so a reused pid is not mistaken
// for the original still running.
import { readFileSync } from 'node:fs';

export interface ProcessWatch {
  readonly pid: number;
  /** Whether the process has exited (zombie, reaped, or its pid reused). */
  exited(): boolean;
}

/** State letter and start time (clock ticks since boot) from /proc/<pid>/stat, or null when it is gone. */
export function procStat(pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) S ppid ..." where comm may contain spaces and parentheses: fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Field 3 is the state; field 22 (starttime) is the 20th after the comm.
  return { state: fields[0] ?? '', start: fields[19] ?? '' };
}

/**
 * Watch `pid`, the main process of container `containerId`, or null when this harness cannot
 * see it as that container's process (no /proc entry, another cgroup, already exited).
 */
export function watchProcessExit(pid: number, containerId: string): ProcessWatch | null {
  if (!Number.isInteger(pid) || pid <= 0 || !/^[0-9a-f]{12,64}$/.test(containerId)) return null;
  let cgroup: string;
  try {
    cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
  if (!cgroup.includes(containerId)) return null;
  const first = procStat(pid);
  if (first === null || first.state === 'Z' || first.state === 'X') return null;
  return {
    pid,
    exited() {
      const now = procStat(pid);
      return now === null || now.start !== first.start || now.state === 'Z' || now.state === 'X';
    },
  };
}
