// The write path of a custom target, assembled once per cluster: where writes go (routing.ts)
// and what carries them and the read-back: the scenario's write / read probes, or a client
// module (module-client.ts).

import type { FinalReadSource } from '../../client/final-read.js';
import type { WriteClient } from '../../client/write-client.js';
import type { ClientModule } from '../../drivers/module-api.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import { CustomFinalReadSource, CustomWriteClient } from './client.js';
import { ModuleClients } from './module-client.js';
import type { ProbeRunner } from './probes/run.js';
import { createRouter, type RouterHost } from './routing.js';
import type { TemplateVars } from './templates.js';

export interface WritePathHost extends RouterHost {
  spec: CustomTargetSpec;
  runner: ProbeRunner;
  varsOf(node: string): TemplateVars;
  leader(): Promise<string | null>;
  ports(node: string): Record<number, number>;
  module?: ClientModule | undefined;
}

export class WritePath {
  private readonly router: ReturnType<typeof createRouter>;
  private readonly modules: ModuleClients | undefined;

  constructor(private readonly h: WritePathHost) {
    this.router = createRouter(h.spec.write_to, h);
    if (h.module) {
      this.modules = new ModuleClients(
        h.module,
        {
          nodeNames: h.nodeNames,
          ports: (n) => h.ports(n),
          mainPort: h.spec.ports[0]!,
          settings: h.spec.client?.settings ?? {},
          leader: () => h.leader(),
        },
        this.router,
      );
    }
  }

  writeClient(): WriteClient {
    if (this.modules) return this.modules;
    return new CustomWriteClient(
      [...this.h.nodeNames],
      this.h.runner,
      this.h.spec.probes.write!,
      (n) => this.h.varsOf(n),
      this.router,
    );
  }

  finalReadSource(): FinalReadSource & { readIds(node: string): Promise<string[]> } {
    if (this.modules) return this.modules;
    return new CustomFinalReadSource(
      [...this.h.nodeNames],
      this.h.runner,
      this.h.spec.probes.read!,
      (n) => this.h.varsOf(n),
      () => this.h.leader(),
    );
  }

  async close(): Promise<void> {
    this.router?.stop();
    await this.modules?.close();
  }
}
