// Finds the template that covers a masked token sequence. One trie per token count; a template token
// `<*>` matches any token. Lookups prefer the literal child over the wildcard, so the most specific
// template wins, and backtrack only when a literal path dead-ends.
import { WILDCARD } from './tokenize.js';

interface Node<T> {
  literal?: Map<string, Node<T>>;
  wild?: Node<T>;
  value?: T;
}

export class TemplateTrie<T> {
  private readonly roots = new Map<number, Node<T>>();

  /** Stores `value` under `tokens`; returns the value already there, which is then left in place. */
  insert(tokens: readonly string[], value: T): T | undefined {
    let root = this.roots.get(tokens.length);
    if (root === undefined) {
      root = {};
      this.roots.set(tokens.length, root);
    }
    let node = root;
    for (const token of tokens) {
      let next: Node<T> | undefined;
      if (token === WILDCARD) {
        next = node.wild ??= {};
      } else {
        node.literal ??= new Map();
        next = node.literal.get(token);
        if (next === undefined) {
          next = {};
          node.literal.set(token, next);
        }
      }
      node = next;
    }
    if (node.value !== undefined) return node.value;
    node.value = value;
    return undefined;
  }

  remove(tokens: readonly string[], value: T): void {
    const root = this.roots.get(tokens.length);
    if (root === undefined) return;
    const path: Node<T>[] = [root];
    let node: Node<T> | undefined = root;
    for (const token of tokens) {
      node = token === WILDCARD ? node.wild : node.literal?.get(token);
      if (node === undefined) return;
      path.push(node);
    }
    if (node.value !== value) return;
    node.value = undefined;
    // Prune the branch that now leads nowhere, so evicted templates free their nodes.
    for (let d = tokens.length; d > 0; d--) {
      const child = path[d];
      if (child.value !== undefined || child.wild !== undefined || (child.literal !== undefined && child.literal.size > 0)) break;
      const parent = path[d - 1];
      const token = tokens[d - 1];
      if (token === WILDCARD) parent.wild = undefined;
      else parent.literal?.delete(token);
    }
    if (root.wild === undefined && (root.literal === undefined || root.literal.size === 0)) this.roots.delete(tokens.length);
  }

  find(tokens: readonly string[]): T | undefined {
    const root = this.roots.get(tokens.length);
    return root === undefined ? undefined : this.walk(root, tokens, 0);
  }

  private walk(node: Node<T>, tokens: readonly string[], depth: number): T | undefined {
    if (depth === tokens.length) return node.value;
    const literal = node.literal?.get(tokens[depth]);
    if (literal !== undefined) {
      const found = this.walk(literal, tokens, depth + 1);
      if (found !== undefined) return found;
    }
    return node.wild === undefined ? undefined : this.walk(node.wild, tokens, depth + 1);
  }
}
