// `drill cleanup --images`: the images drill built itself (graph-agent, the fault agent,
// custom targets' builds), all labelled drill.managed=true, pile up: each is tagged by the
// content it was built from, so every drill upgrade or changed build context leaves the
// previous one behind (the fault agent is ~140 MB). This removes every such image that no
// container uses, except the newest of each repository, which the next drill of the same
// version would otherwise rebuild. Images without the label are never touched.
import { docker, errorLine, isNotFound } from './engine.js';
import { isDrillManaged } from './labels.js';

export interface PrunedImages {
  removed: string[];
  bytes: number;
  kept: number;
  errors: string[];
}

interface Candidate {
  id: string;
  tags: string[];
  repo: string;
  created: number;
  size: number;
}

/** Which images to remove: unused, and not the newest of their repository. Pure, for tests. */
export function choosePrunable(images: readonly Candidate[], used: ReadonlySet<string>): Candidate[] {
  const newest = new Map<string, Candidate>();
  for (const i of images) {
    const n = newest.get(i.repo);
    if (!n || i.created > n.created) newest.set(i.repo, i);
  }
  return images.filter((i) => !used.has(i.id) && newest.get(i.repo) !== i);
}

export async function pruneDrillImages(): Promise<PrunedImages> {
  const d = docker();
  const [images, containers] = await Promise.all([
    d.listImages({ filters: { label: ['drill.managed=true'] } }),
    d.listContainers({ all: true }),
  ]);
  const used = new Set(containers.map((c) => c.ImageID));
  const candidates: Candidate[] = images
    .filter((i) => isDrillManaged(i.Labels))
    .map((i) => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      return {
        id: i.Id,
        tags,
        repo: tags[0]?.replace(/:[^:/]*$/, '') ?? i.Id,
        created: i.Created,
        size: i.Size,
      };
    });
  const out: PrunedImages = { removed: [], bytes: 0, kept: 0, errors: [] };
  const prune = choosePrunable(candidates, used);
  out.kept = candidates.length - prune.length;
  for (const i of prune) {
    // Tag by tag (an image under several tags cannot be removed by id without force), never
    // forced: an image a container started using since the listing stays.
    let gone = true;
    for (const ref of i.tags.length > 0 ? i.tags : [i.id]) {
      try {
        await d.getImage(ref).remove({ force: false, noprune: false });
      } catch (e) {
        if (isNotFound(e)) continue;
        gone = false;
        out.errors.push(`remove image ${ref}: ${errorLine(e)}`);
      }
    }
    if (gone) {
      out.removed.push(i.tags[0] ?? i.id);
      out.bytes += i.size;
    }
  }
  return out;
}
