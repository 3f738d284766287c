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
  /** The host each of those nodes runs on, when the nodes are spread over hosts (engine swarm). */
  hosts?: Record<string, string>;
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
  /** Game days: hidden from the live page until the team marks it detected (revealed here). */
  blind?: boolean;
  /** Index of the step that injected it (absent for faults not injected by a step). */
  step?: number;
}

export interface RtoMeasurement {
  fault_id: string;
  /** t_r - t_f in seconds; null = unknown (no sustained durable recovery observed). */
  rto_s: number | null;
  /**
   * One-sided uncertainty: the true recovery lies in [t_r - error_bar_s, t_r]. From the invoke
   * of the latest write (after t_f) that did not succeed, to t_r; t_r - t_f when none failed.
   */
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
    /** One-sided error bars of the leader-watch phases (optional: older results lack them). */
    detection_bar_s?: number | null;
    leader_change_bar_s?: number | null;
  };
  reason?: string;
  /** Stable code of `reason`, for programs (no-write-after-fault, no-sustained-run, ...). */
  reason_code?: string;
}

export interface DrillMetrics {
  /** Worst RTO over the drill's disruptive faults, seconds; null = unknown. */
  rto_s: number | null;
  rto_error_bar_s: number | null;
  /** Why rto_s is null (no disruptive fault, fault never confirmed, no sustained recovery). */
  rto_reason?: string;
  rto_per_fault: RtoMeasurement[];
  rpo: {
    /** Acknowledged writes absent after recovery; null = unknown (no final read, or it was unstable). */
    lost: number | null;
    /** Present but never attempted (or attempted and certainly failed). */
    unexpected: number | null;
    /** Outcome unknown (info) but present. */
    recovered: number | null;
    /**
     * The span of acknowledged history that is gone, seconds: the worst of `per_fault`; 0 only
     * when nothing is lost; null = unknown.
     */
    window_s: number | null;
    lost_ids: string[];
    unexpected_ids: string[];
    /** The lost writes of each fault they are attributed to (docs/result-json.md). */
    per_fault: Array<{
      fault_id: string;
      lost: number;
      /** max(t_f, last lost acknowledgement) - first lost acknowledgement, seconds. */
      window_s: number;
      /** First and last lost acknowledgement relative to t_f, seconds (negative: before the fault). */
      first_lost_ack_s: number;
      last_lost_ack_s: number;
    }>;
    /** Why `lost` or `window_s` is null. */
    reason?: string;
    /**
     * After a restore: acknowledged writes at or before the backup's recorded position that are
     * absent (data loss in the backup, also counted in lost). Absent when there was no restore.
     */
    missing_before_position?: number;
    missing_before_position_ids?: string[];
    /** After a restore: absent writes with no position to resolve them by (never decided either way). */
    unresolved_position?: number;
    /**
     * After a restore: acknowledged writes after the backup's position (or invoked after the recovery point) that
     * are present: the restore went past its point. Counted under integrity.
     */
    present_after_position?: number;
    present_after_position_ids?: string[];
  };
  /** Backup and restore figures, present when the drill has backup/restore steps (docs/backup-restore.md). */
  restore?: RestoreMetrics;
  /**
   * Share of writes invoked during fault windows that were durable successes (acknowledged
   * and present after recovery), 0..1; null = unknown (no write in a window, or no final read).
   */
  availability: number | null;
  /** The raw acknowledged share during fault windows (acknowledged, lost or not), for comparison. */
  availability_acked: number | null;
  /** Durable successes over every write of the workload. */
  availability_overall: number | null;
  /** Why `availability` is null. */
  availability_reason?: string;
  latency_ms: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  ops: {
    invoked: number;
    ok: number;
    fail: number;
    info: number;
    writes_ok: number;
    /** Acknowledged writes absent after recovery (also in rpo.lost); null = unknown. */
    acked_then_lost: number | null;
    /** Writes sent by the recovery probe (also counted above). */
    probe_writes: number;
  };
  /** Reads and what they found. */
  reads: {
    invoked: number;
    ok: number;
    found: number;
    not_found: number;
    /** Reads that missed a write acknowledged before the read was sent. */
    stale: number;
    stale_ids: string[];
  };
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
  /**
   * Split brain: the most nodes that claimed leadership at the same time, and for how long 2+ did.
   * Absent when the target cannot tell.
   */
  split_brain?: { max_leaders: number; seconds: number };
  /**
   * Game days: time from each disruptive fault's t_f to the first `detected` and `mitigated`
   * marks after it (the worst fault's), seconds; null = nobody marked it. Present when the run
   * has human marks or detect / mitigate thresholds.
   */
  game_day?: {
    detect_s: number | null;
    mitigate_s: number | null;
    per_fault: Array<{
      fault_id: string;
      detect_s: number | null;
      mitigate_s: number | null;
      detected_by?: string;
      mitigated_by?: string;
    }>;
    reason?: string;
  };
  /**
   * Every checker's verdict on what it checked: true (holds), false (violated), unknown (could
   * not tell, with the reason). A checker that throws is unknown, never a crash.
   */
  checks: Record<string, { valid: true | false | 'unknown'; reason?: string }>;
}

export interface RestoreMetrics {
  /** Restore RTO: destroy to the first verified read and write on the restored cluster, seconds; null = unknown. */
  rto_s: number | null;
  phases: { restore_s: number | null; healthy_s: number | null; verification_s: number | null };
  /** The backup position the restore was to, and its snapshot. */
  position: number | null;
  /** The recovery point the restore was to (restore position point:<name>); null otherwise. */
  point?: string | null;
  snapshot: string | null;
  /** Acknowledged writes at or before the position, absent after the restore: data loss. */
  missing_before_position: number | null;
  /** Acknowledged after the position and absent: the RPO of the restore (count), and its window. */
  lost_after_position: number | null;
  /**
   * Absent writes that cannot be placed before or after the position (no position recorded), or, for a restore
   * to a recovery point, that were in flight while the point was made (either fate is correct for those).
   */
  unresolved_position: number | null;
  /** Acknowledged after the position (invoked after the point) yet present: the restore went past its point. */
  present_after_position: number | null;
  /**
   * The restore's RPO as time, over the writes lost after the position only: t_destroy (or the
   * latest of them, if later) minus the earliest of their acknowledgements, seconds; 0 when none.
   */
  window_s: number | null;
  /** Age of the backup at the destroy (t_destroy - end of the backup), seconds. */
  backup_age_s: number | null;
  /** The restored data's checksum equals the manifest's. */
  checksum_match: boolean | null;
  refused: number;
  backups: Array<Record<string, unknown>>;
  restores: Array<Record<string, unknown>>;
  /** The recovery points made (point steps): name, node, status, error, t_request_s, t_made_s. */
  points?: Array<Record<string, unknown>>;
}

export interface StepRecord {
  index: number;
  kind: string;
  description: string;
  status: 'completed' | 'failed' | 'skipped' | 'interrupted';
  start_s: number;
  end_s: number | null;
  error?: string;
  /** A blind fault's step: its text is hidden from the live page until the fault is detected. */
  blind?: boolean;
}

export interface MarkRecord {
  /** Harness time (s since the run's origin). */
  t_s: number;
  /** The note: the scenario's `mark` text, or what the operator typed or clicked. */
  label: string;
  /**
   * note: a remark on the timeline. detected / mitigated: the people in the room say they
   * noticed the fault / acted on it (game days); scored by the `detect` and `mitigate`
   * thresholds from each fault's t_f. Absent in older results (a note).
   */
  kind?: MarkKind;
  /** Who made it (--operator, or the OS user); absent for the scenario's own marks. */
  operator?: string;
  /** Where it came from: the scenario's mark step, the live page, or the terminal. */
  source?: 'scenario' | 'live' | 'terminal';
}

export type MarkKind = 'note' | 'detected' | 'mitigated';

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
  /** groups: the node groups of a cluster of groups (cluster.groups, cluster.compose), each with its nodes. */
  target: { kind: string; nodes: string[]; settings: Record<string, unknown>; groups?: Record<string, string[]> };
}
