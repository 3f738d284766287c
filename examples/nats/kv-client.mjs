// A drill client module (docs/client-modules.md) for NATS JetStream key/value buckets,
// written against the official NATS JavaScript client (@nats-io/transport-node, @nats-io/kv),
// which drill does not ship. drill calls open(node) once per workload worker (and for the
// final read), then write(op) for each unique write and read() for the read-back.
//
// Classification (fail only when the write certainly did not happen; when in doubt, info):
//   kv.create answered with a revision                           ok (the revision is the index)
//   no responders: no JetStream server took the request          fail  (nothing was stored)
//   "wrong last sequence": the key already exists                fail  (this write stored nothing)
//   timeout, connection closed, anything else                    info  (it may have been stored)
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { fail, info, ok } from 'drill/client';

const BUCKET = 'drill';

export async function open(node) {
  const nc = await connect({
    servers: `${node.host}:${node.port}`,
    timeout: 2000,
    // A drill wants each failure seen, not papered over: no silent reconnect and replay.
    reconnect: false,
  });
  const kvm = new Kvm(nc);
  // Create the bucket, replicated on every server (creating it again with the same settings
  // returns the existing one, so every worker may do this).
  let kv;
  try {
    kv = await kvm.create(node.settings.bucket ?? BUCKET, { replicas: Number(node.settings.replicas ?? 3) });
  } catch (e) {
    await nc.close().catch(() => {});
    throw e;
  }
  return {
    async write(op) {
      try {
        return ok(await kv.create(op.id, op.value));
      } catch (e) {
        const name = e?.name ?? '';
        const text = String(e?.message ?? e);
        if (name === 'NoRespondersError' || /no responders/i.test(text)) return fail('no responders');
        if (/wrong last sequence/i.test(text)) return fail('key exists');
        return info(name === 'TimeoutError' ? 'timeout' : text);
      }
    },
    async read() {
      const ids = [];
      for await (const k of await kv.keys()) ids.push(k);
      return ids;
    },
    async close() {
      await nc.close().catch(() => {});
    },
  };
}
