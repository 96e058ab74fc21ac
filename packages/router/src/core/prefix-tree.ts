/**
 * A radix tree over strings answering "longest key that is a prefix of this path" in
 * O(length of the path), whatever the number of keys. Pure data structure: no I/O; callers
 * must not insert after handing the tree to readers.
 */

interface Edge<V> {
  label: string;
  node: TreeNode<V>;
}

class TreeNode<V> {
  value: V | undefined = undefined;
  readonly edges = new Map<number, Edge<V>>();
}

/** Longest-prefix map from string keys to values. */
export class PrefixTree<V> {
  readonly #root = new TreeNode<V>();
  #size = 0;

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** Sets `key` to `value`, replacing an existing value. */
  set(key: string, value: V): void {
    let node = this.#root;
    let i = 0;
    for (;;) {
      if (i === key.length) {
        if (node.value === undefined) this.#size++;
        node.value = value;
        return;
      }
      const edge = node.edges.get(key.charCodeAt(i));
      if (edge === undefined) {
        const leaf = new TreeNode<V>();
        leaf.value = value;
        node.edges.set(key.charCodeAt(i), { label: key.slice(i), node: leaf });
        this.#size++;
        return;
      }
      const label = edge.label;
      let common = 0;
      while (
        common < label.length &&
        i + common < key.length &&
        label.charCodeAt(common) === key.charCodeAt(i + common)
      ) {
        common++;
      }
      if (common < label.length) {
        const mid = new TreeNode<V>();
        mid.edges.set(label.charCodeAt(common), { label: label.slice(common), node: edge.node });
        edge.label = label.slice(0, common);
        edge.node = mid;
      }
      node = edge.node;
      i += common;
    }
  }

  /** The value of the longest key that is a prefix of `path`, if any. */
  longestPrefix(path: string): V | undefined {
    let node = this.#root;
    let best = node.value;
    let i = 0;
    while (i < path.length) {
      const edge = node.edges.get(path.charCodeAt(i));
      if (edge === undefined || !path.startsWith(edge.label, i)) break;
      i += edge.label.length;
      node = edge.node;
      if (node.value !== undefined) best = node.value;
    }
    return best;
  }
}
