/**
 * Would two branches merge cleanly, and how badly would they conflict? Computed with
 * `git merge-tree --write-tree`, which merges in the object store only: no working tree, index or
 * ref is touched (the merged tree's objects are written, and left to git's garbage collection).
 *
 * Conflict score, in the spirit of OmoiOS (which orders merges by their count of conflicts):
 * 0 for a clean merge, else the sum over conflicting files of (1 + hunks), so it grows with both
 * the number of files and the number of conflicting regions in them.
 *
 * Hunks are counted in the merged tree, where each conflicting region of a text file is written
 * between conflict markers. Both sides are passed to merge-tree as full commit ids, so the opening
 * marker of every region reads `<<<<<<< <commit id of the first side>` (with `:<path>` after a
 * rename): counting lines that start so finds the regions and nothing else — not marker-like lines
 * already in the file, not the inner markers of a virtual merge base (labelled otherwise), whatever
 * the conflict style (diff3 adds `|||||||` sections) or the marker size. A file in conflict without
 * markers (modify/delete, rename/delete, binary, file/directory) counts as one hunk.
 */
import { git, resolveCommit } from './gitCommand';
import { gitRefusal } from './names';

export interface ConflictFile {
  path: string;
  hunks: number;
  /** The kinds of conflict git reported for it (`contents`, `modify/delete`, …). */
  kinds: string[];
}

export interface MergeCheck {
  clean: boolean;
  score: number;
  files: ConflictFile[];
  /** The merged tree (with conflict markers where it conflicts). */
  tree: string;
  /** git's own conflict messages, one a line. */
  messages: string[];
}

interface MergeTreeOutput {
  tree: string;
  conflicted: string[];
  messages: { paths: string[]; kind: string; text: string }[];
}

/** Parses `git merge-tree --write-tree -z --name-only --messages`: tree NUL, conflicted paths NUL, NUL, then messages. */
function parseMergeTree(stdout: string): MergeTreeOutput {
  const parts = stdout.split('\0');
  const tree = parts[0] ?? '';
  let i = 1;
  const conflicted: string[] = [];
  while (i < parts.length && parts[i] !== '') conflicted.push(parts[i++]!);
  i++;
  const messages: MergeTreeOutput['messages'] = [];
  while (i < parts.length && parts[i] !== '') {
    const count = Number(parts[i++]);
    const paths = parts.slice(i, i + count);
    i += count;
    messages.push({ paths, kind: parts[i++] ?? '', text: (parts[i++] ?? '').trim() });
  }
  return { tree, conflicted: [...new Set(conflicted)], messages };
}

async function commitOf(repo: string, rev: string): Promise<string> {
  const commit = await resolveCommit(repo, rev);
  if (!commit) throw gitRefusal('unknown_branch', `${JSON.stringify(rev)} is not a branch or commit of ${repo}.`, 'Name an existing branch.', { rev });
  return commit;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function countHunks(repo: string, tree: string, file: string, oursCommit: string): Promise<number> {
  const blob = await git(repo, ['cat-file', 'blob', `${tree}:${file}`], { okExitCodes: [128] });
  if (blob.exitCode !== 0) return 1; // not a blob in the merged tree (a directory, a submodule, moved aside)
  const opening = new RegExp(`^<{7,} ${escapeRegExp(oursCommit)}(?::.*)?\\r?$`, 'gm');
  return Math.max(1, blob.stdout.match(opening)?.length ?? 0);
}

/** Merges `theirs` into `ours` in the object store only and scores the conflicts. */
export async function checkMerge(repo: string, ours: string, theirs: string): Promise<MergeCheck> {
  const [oursCommit, theirsCommit] = [await commitOf(repo, ours), await commitOf(repo, theirs)];
  const result = await git(repo, ['merge-tree', '--write-tree', '-z', '--name-only', '--messages', oursCommit, theirsCommit], { okExitCodes: [1] });
  const parsed = parseMergeTree(result.stdout);
  const clean = result.exitCode === 0;
  const files = await Promise.all(
    parsed.conflicted.map(async (file) => ({
      path: file,
      hunks: await countHunks(repo, parsed.tree, file, oursCommit),
      kinds: [...new Set(parsed.messages.filter((m) => m.kind.startsWith('CONFLICT') && m.paths.includes(file)).map((m) => m.kind.replace(/^CONFLICT \((.*)\)$/, '$1')))],
    })),
  );
  const score = clean ? 0 : files.reduce((sum, f) => sum + 1 + f.hunks, 0) || 1;
  const messages = parsed.messages.filter((m) => m.kind.startsWith('CONFLICT')).map((m) => m.text);
  return { clean, score, files, tree: parsed.tree, messages };
}

export interface PairScore {
  a: string;
  b: string;
  clean: boolean;
  score: number;
  files: ConflictFile[];
}

export interface ConflictMatrix {
  base: string;
  /** Every pair of worker branches. */
  pairs: PairScore[];
  /** Each worker branch merged into the base. */
  againstBase: PairScore[];
}

async function inTurns<T, R>(items: readonly T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
  return results;
}

/** The conflict score of every pair of `branches`, and of each against `base`. */
export async function conflictMatrix(repo: string, branches: readonly string[], base: string): Promise<ConflictMatrix> {
  const jobs: [string, string][] = branches.map((b) => [base, b]);
  for (let i = 0; i < branches.length; i++) for (let j = i + 1; j < branches.length; j++) jobs.push([branches[i]!, branches[j]!]);
  const scored = await inTurns(jobs, 4, async ([a, b]) => {
    const { clean, score, files } = await checkMerge(repo, a, b);
    return { a, b, clean, score, files };
  });
  return { base, againstBase: scored.slice(0, branches.length), pairs: scored.slice(branches.length) };
}
