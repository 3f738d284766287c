// The package's public surface, for the harness's benchmark and tests: the store itself
// runs inside its image (dist/main.js) and the harness reaches it only over HTTP. Nothing
// here is imported by the drill harness's production code.

export { startAgent, type Agent, type StartOptions } from './node.js';
export { parseConfig, publicConfig, ConfigError, type AgentConfig } from './config.js';
export { formatLine, makeLogger, silentLogger, type Logger } from './log.js';
export { Graph, type Command } from './graph.js';
export { canonicalJson, type Edge, type Vertex } from './element-json.js';
export { encodeRecord } from './wal.js';
export { BackupEngine, DEFAULT_BACKUP_SETTINGS, type BackupSettings, type BackupSource } from './backup/engine.js';
export { Repository } from './backup/repository.js';
export { verifyRepository } from './backup/verify.js';
export { loadBatches, planRestore } from './backup/restore-plan.js';
export { FsStorage, type BackupStorage } from './backup/storage.js';
