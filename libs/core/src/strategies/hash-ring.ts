/** 32-bit FNV-1a with a murmur3 finaliser: cheap, and similar strings land far apart. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A consistent-hashing ring: each node owns `virtualNodes` points on a 32-bit circle and a
 * key belongs to the first point clockwise of its hash. When a node joins or leaves, only the
 * keys of the arcs it gains or loses move: about 1/N of them.
 */
export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: string[];

  constructor(
    nodeIds: readonly string[],
    readonly virtualNodes = 64,
  ) {
    const entries: { point: number; node: string }[] = [];
    for (const node of nodeIds) {
      for (let v = 0; v < virtualNodes; v++) entries.push({ point: hash32(`${node}#${v}`), node });
    }
    entries.sort((a, b) => a.point - b.point || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.points = Uint32Array.from(entries, (e) => e.point);
    this.owners = entries.map((e) => e.node);
  }

  get size(): number {
    return this.owners.length;
  }

  /** Index of the first point at or after the key's hash (wrapping to 0). */
  private firstIndex(key: string): number {
    const h = hash32(key);
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  /** The node that owns the key, or undefined on an empty ring. */
  owner(key: string): string | undefined {
    return this.owners.length === 0 ? undefined : this.owners[this.firstIndex(key)];
  }

  /**
   * The first node clockwise from the key that `accept` takes: the owner when it can, else
   * its successors in ring order. Visits each point at most once.
   */
  find(key: string, accept: (node: string) => boolean): string | undefined {
    const n = this.owners.length;
    if (n === 0) return undefined;
    const start = this.firstIndex(key);
    for (let k = 0; k < n; k++) {
      const node = this.owners[(start + k) % n];
      if (accept(node)) return node;
    }
    return undefined;
  }
}
