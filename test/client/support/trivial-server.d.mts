export type TrivialMode = 'normal' | 'hang' | '503-no-leader' | '503-not-leader' | '500' | 'reset' | 'slow';
export interface TrivialServer {
  readonly port: number;
  readonly url: string;
  vertices: Map<string, { id: string; label: string; properties: Record<string, unknown> }>;
  edges: Map<string, { id: string; from: string; to: string; type: string }>;
  stats: { requests: number; writesApplied: number };
  setMode(m: TrivialMode, o?: { apply?: boolean; slowMs?: number }): void;
  refuse(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}
export function startTrivialServer(opts?: { port?: number; node?: string }): Promise<TrivialServer>;
