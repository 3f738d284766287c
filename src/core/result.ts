// The shape of a drill's result: the same for success, failure and an aborted run
// (like execa's result). Written as result.json in the run directory; its fields are
// documented in docs/result-json.md and are stable.

export type Verdict = 'pass' | 'fail' | 'unknown';
export type RunStatus = 'completed' | 'failed' | 'aborted' | 'interrupted';

export interface ThresholdResult {
  /** Stable name: rto, rpo.lost, rpo.window, availability, p99_latency, integrity. */
  name: string;
  /** Human-readable limit, e.g. "<= 5 s". */
  limit: string;
  /** The limit as a number in the metric's unit (s, count, ratio), or boolean for integrity. */
  limit_value: number | boolean;
  /** Measured value in the same unit; null when it could not be measured (and then verdict is fail). */
  measured: number | boolean | null;
  unit: 's' | 'count' | 'ratio' | 'bool';
  verdict: 'pass' | 'fail';
  /** Why it failed, in words (e.g. "not measured: no successful write after the fault"). */
  reason?: string;
}

export interface FaultRecord {
  /** Fault id within the run, e.g. "f1". */
  id: string;
  kind: string;
  /** Whether the fault is expected to disrupt service; RTO is measured for these. */
  disruptive: boolean;
  /** Node names the fault was applied to. */
  nodes: string[];
  /** Harness time (s since run origin) the fault was requested. */
  requested_s: number;
  /** Harness time the fault was confirmed in effect; null if never confirmed. */
  confirmed_s: number | null;
  /** confirmed - requested, seconds. */
  injection_latency_s: number | null;
  /** Harness time the fault was healed (reverted); null if it was not (e.g. kill without heal). */
  healed_s: number | null;
  /** How the fault was applied and verified, e.g. "docker kill SIGKILL; container observed exited". */
  mechanism: string;
  detail?: Record<string, unknown>;
}

export interface RtoMeasurement {
  fault_id: string;
  /** t_r - t_f in seconds; null = unknown (no sustained recovery observed). */
  rto_s: number | null;
  /** Uncertainty of t_r: the spacing of operations around it, seconds. */
  error_bar_s: number | null;
  /** Harness times (s) of the fault instant and of recovery. */
  t_f_s: number;
  t_r_s: number | null;
  /** Phases where the SUT exposes them (seconds after t_f), null when not observed. */
  phases: {
    detection_s: number | null;
    leader_change_s: number | null;
    first_ack_write_s: number | null;
    error_rate_baseline_s: number | null;
  };
  reason?: string;
}

export interface DrillMetrics {
  /** Worst RTO over the drill's disruptive faults, seconds; null = unknown. */
  rto_s: number | null;
  rto_error_bar_s: number | null;
  /** Why rto_s is null (no disruptive fault, fault never confirmed, no sustained recovery). */
  rto_reason?: string;
  rto_per_fault: RtoMeasurement[];
  rpo: {
    /** Acknowledged writes absent after recovery; null = unknown (no final read). */
    lost: number | null;
    /** Present but never attempted (or attempted and certainly failed). */
    unexpected: number | null;
    /** Outcome unknown (info) but present. */
    recovered: number | null;
    /** t_f - ack time of the earliest lost write, seconds; 0 when nothing is lost; null = unknown. */
    window_s: number | null;
    lost_ids: string[];
    unexpected_ids: string[];
    /**
     * After a restore: acknowledged writes at or before the backup's recorded position that are
     * absent (data loss in the backup, also counted in lost). Absent when there was no restore.
     */
    missing_before_position?: number;
    missing_before_position_ids?: string[];
  };
  /** Backup and restore figures, present when the drill has backup/restore steps (docs/backup-restore.md). */
  restore?: RestoreMetrics;
  /** Share of writes that succeeded among those invoked during fault windows (0..1); null = unknown. */
  availability: number | null;
  /** Share of writes that succeeded over the whole workload. */
  availability_overall: number | null;
  latency_ms: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  ops: { invoked: number; ok: number; fail: number; info: number; writes_ok: number };
  integrity: {
    ok: boolean | null;
    dangling_edges: string[];
    /** Nodes whose checksum differs from the leader's (or did not answer). */
    checksum_mismatch: string[];
    reason?: string;
  };
  /** Number of leader changes observed by the harness during the run. */
  leader_changes: number | null;
  /** True when >= 3 leader changes were observed within 10 s. */
  leader_flapping?: boolean;
  /** Split brain: the most nodes that claimed leadership at the same time, and for how long 2+ did. Absent when the target cannot tell. */
  split_brain?: { max_leaders: number; seconds: number };
}

export interface RestoreMetrics {
  /** Restore RTO: destroy to the first verified read and write on the restored cluster, seconds; null = unknown. */
  rto_s: number | null;
  phases: { restore_s: number | null; healthy_s: number | null; verification_s: number | null };
  /** The backup position the restore was to, and its snapshot. */
  position: number | null;
  snapshot: string | null;
  /** Acknowledged writes at or before the position, absent after the restore: data loss. */
  missing_before_position: number | null;
  /** Acknowledged after the position and absent: the RPO of the restore (count), and its window. */
  lost_after_position: number | null;
  /** t_destroy - acknowledgement time of the earliest write lost after the position, seconds. */
  window_s: number | null;
  /** Age of the backup at the destroy (t_destroy - end of the backup), seconds. */
  backup_age_s: number | null;
  /** The restored data's checksum equals the manifest's. */
  checksum_match: boolean | null;
  refused: number;
  backups: Array<Record<string, unknown>>;
  restores: Array<Record<string, unknown>>;
}

export interface StepRecord {
  index: number;
  kind: string;
  description: string;
  status: 'completed' | 'failed' | 'skipped' | 'interrupted';
  start_s: number;
  end_s: number | null;
  error?: string;
}

export interface MarkRecord {
  t_s: number;
  label: string;
}

export interface DrillResult {
  /** Version of this file's format. */
  schema_version: 1;
  scenario: { name: string; file: string; description?: string; tags: string[] };
  run_id: string;
  seed: number;
  /** pass: every threshold met; fail: at least one breached; unknown: the drill could not finish. */
  verdict: Verdict;
  status: RunStatus;
  /** True when the run was cut short (Ctrl-C, SIGTERM, an infrastructure error). */
  aborted: boolean;
  error?: string;
  /** detail: why the expectation was not met (or how it was matched). */
  expect?: { verdict: 'pass' | 'fail'; reason?: string; met: boolean; detail?: string };
  started_at: string;
  duration_s: number;
  run_dir: string;
  metrics: DrillMetrics;
  thresholds: ThresholdResult[];
  faults: FaultRecord[];
  steps: StepRecord[];
  marks: MarkRecord[];
  target: { kind: string; nodes: string[]; settings: Record<string, unknown> };
}
