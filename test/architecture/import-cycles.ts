import path from 'node:path';
import { importSpecifiers, resolveImport } from './import-rules.ts';

/**
 * Import cycles between files and between folders of src/, as a pure checker over { repo-relative path →
 * source text } like import-rules.ts. Type-only imports count: a reader following the imports goes round
 * the loop all the same, and a type cycle is the usual first step to a value cycle.
 *
 * A folder cycle is a loop in the graph whose nodes are folders (a file's own directory) and whose edges
 * are the file imports between two different folders: `app/fixes → app/outbox → app/fixes` is one even
 * when no single file sits on a file cycle.
 */

export interface Cycle {
  kind: 'file' | 'folder';
  /** The nodes of one loop, the first repeated at the end: [a, b, a]. */
  path: string[];
  /** Every node of the tangle the loop belongs to (more than the loop when several loops share nodes). */
  members: string[];
}

type Graph = ReadonlyMap<string, ReadonlySet<string>>;

function fileGraph(files: ReadonlyMap<string, string>): Graph {
  const known = new Set(files.keys());
  const graph = new Map<string, Set<string>>();
  for (const [file, source] of files) {
    const to = new Set<string>();
    for (const spec of importSpecifiers(source)) {
      const t = resolveImport(file, spec, known);
      if (t.kind === 'src' && known.has(t.path)) to.add(t.path);
    }
    graph.set(file, to);
  }
  return graph;
}

function folderGraph(files: Graph): Graph {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = path.posix.dirname(file);
    const to = graph.get(from) ?? new Set<string>();
    for (const t of targets) if (path.posix.dirname(t) !== from) to.add(path.posix.dirname(t));
    graph.set(from, to);
  }
  return graph;
}

/** Strongly connected components (Tarjan), iterative so a deep import chain cannot overflow the stack. */
function components(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; it: Iterator<string> }> = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, it: [...(graph.get(node) ?? [])].sort()[Symbol.iterator]() });
    };
    enter(root);
    while (work.length > 0) {
      const top = work.at(-1)!;
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) !== index.get(top.node)) continue;
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== top.node);
      out.push(scc.sort());
    }
  }
  return out;
}

/** The shortest loop from `start` back to itself that stays inside `members`. */
function shortestLoop(start: string, members: ReadonlySet<string>, graph: Graph): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const w of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const loop: string[] = [];
        for (let n = node; n !== start; n = prev.get(n)!) loop.unshift(n);
        return [start, ...loop, start];
      }
      if (!prev.has(w)) {
        prev.set(w, node);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function cyclesOf(kind: Cycle['kind'], graph: Graph): Cycle[] {
  return components(graph)
    .filter((scc) => scc.length > 1 || graph.get(scc[0]!)?.has(scc[0]!))
    .map((scc) => ({ kind, path: shortestLoop(scc[0]!, new Set(scc), graph), members: scc }));
}

/** Every file cycle and every folder cycle in `files` (one loop reported per tangle), sorted. */
export function findCycles(files: ReadonlyMap<string, string>): Cycle[] {
  const graph = fileGraph(files);
  return [...cyclesOf('file', graph), ...cyclesOf('folder', folderGraph(graph))];
}

export const describeCycle = (c: Cycle): string => {
  const more = c.members.length - (c.path.length - 1);
  return `${c.kind} cycle: ${c.path.join(' → ')}${more > 0 ? ` (+${more} more in the tangle: ${c.members.join(', ')})` : ''}`;
};
