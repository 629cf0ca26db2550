// The ACPI namespace: a tree of 4-character names holding AML objects.
// Owns: node creation and removal, the predefined root objects (the same set
// ACPICA creates, so listings compare with acpiexec's), path resolution with
// the ACPI search rules, canonical paths, notify-handler registration, and
// Alias objects (resolveAlias: the one place an alias is followed).
// Never: executes AML.

import {
  AmlContainer, AmlInteger, AmlMethod, AmlMutex, AmlObject, AmlString, ObjectType, typeName,
} from "./objects";
import { NamePath, segmentKey, segmentText } from "./names";

/** An Alias: another name for an existing node. */
export class AmlAlias extends AmlObject {
  constructor(public target: NamespaceNode) { super(ObjectType.Alias); }
}

/** The node `node` stands for: its Alias's target, or itself (an alias names a node, never another alias's name). */
// @ts-ignore: decorator
@inline export function resolveAlias(node: NamespaceNode): NamespaceNode {
  const obj = node.object;
  return obj instanceof AmlAlias ? (obj as AmlAlias).target : node;
}

export type NotifyHandler = (node: NamespaceNode, value: u32) => void;

export class NamespaceNode {
  // Children as a list in creation order (first, last, next sibling): a
  // node costs one allocation, where an Array of children cost two more for
  // every scope and a copy each time one grew — most of the namespace's
  // boot cost was the allocator. Changed only by addChild and removeChild.
  firstChild: NamespaceNode | null = null;
  lastChild: NamespaceNode | null = null;
  nextSibling: NamespaceNode | null = null;
  object: AmlObject | null = null;
  notifyHandler: NotifyHandler | null = null;
  /** Set for nodes a method invocation created; removed when it returns. */
  temporary: bool = false;

  private cachedPath: string | null = null;

  /** `key`: the name's four characters as one integer (segmentKey); the root's is 0. */
  constructor(public readonly key: u32, public parent: NamespaceNode | null) {}

  /** The four-character name (`\\` for the root); built on each call, so lookups use `key`. */
  get name(): string {
    return this.parent == null ? "\\" : segmentText(this.key);
  }

  addChild(node: NamespaceNode): void {
    const last = this.lastChild;
    if (last == null) this.firstChild = node;
    else last.nextSibling = node;
    this.lastChild = node;
  }

  /** Unlinks `node` if it is a child of this one (a method's temporaries on return). */
  removeChild(node: NamespaceNode): void {
    let prev: NamespaceNode | null = null;
    for (let c: NamespaceNode | null = this.firstChild; c != null; c = c!.nextSibling) {
      if (c === node) {
        const next = c.nextSibling;
        if (prev == null) this.firstChild = next;
        else prev.nextSibling = next;
        if (this.lastChild === c) this.lastChild = prev;
        c.nextSibling = null;
        return;
      }
      prev = c;
    }
  }

  child(name: string): NamespaceNode | null {
    return this.childByKey(segmentKey(name));
  }

  childByKey(key: u32): NamespaceNode | null {
    for (let c: NamespaceNode | null = this.firstChild; c != null; c = c!.nextSibling) {
      if (c.key == key) return c;
    }
    return null;
  }

  /**
   * The node after this one in a depth-first walk of `top`'s subtree
   * (children in creation order), or null at its end. Walks need no stack.
   */
  nextUnder(top: NamespaceNode): NamespaceNode | null {
    const first = this.firstChild;
    if (first != null) return first;
    let n: NamespaceNode | null = this;
    while (n != null && n !== top) {
      const next = n.nextSibling;
      if (next != null) return next;
      n = n.parent;
    }
    return null;
  }

  get type(): ObjectType {
    const obj = this.object;
    return obj == null ? ObjectType.Untyped : obj.type;
  }

  /** `\_SB_.PCI0.S08_` — every segment four characters; the root is `\`. */
  path(): string {
    const cached = this.cachedPath;
    if (cached != null) return cached;
    if (this.parent == null) return "\\";
    const parts = new Array<string>();
    let n: NamespaceNode | null = this;
    while (n != null && n.parent != null) {
      parts.unshift(n.name);
      n = n.parent;
    }
    // A node never moves, so its path is computed once (notify and error
    // paths ask for it on every event).
    const path = "\\" + parts.join(".");
    this.cachedPath = path;
    return path;
  }
}

export const NATIVE_OSI: i32 = 1;

export class Namespace {
  root: NamespaceNode = new NamespaceNode(0, null);

  constructor() {
    this.root.object = new AmlContainer(ObjectType.Scope);
    // The predefined objects of ACPI 6.x §5.3 and §5.7, as ACPICA creates them.
    this.predefine("_GPE", new AmlContainer(ObjectType.Scope));
    this.predefine("_PR_", new AmlContainer(ObjectType.Scope));
    this.predefine("_SB_", new AmlContainer(ObjectType.Device));
    this.predefine("_SI_", new AmlContainer(ObjectType.Scope));
    this.predefine("_TZ_", new AmlContainer(ObjectType.Device));
    this.predefine("_REV", new AmlInteger(2));
    this.predefine("_OS_", new AmlString("Microsoft Windows NT"));
    this.predefine("_GL_", new AmlMutex(0));
    this.predefine("_OSI", new AmlMethod(1, false, null, 0, 0, NATIVE_OSI));
  }

  private predefine(name: string, obj: AmlObject): void {
    const node = new NamespaceNode(segmentKey(name), this.root);
    node.object = obj;
    this.root.addChild(node);
  }

  /** The scope a relative path starts from, after its `^` prefixes. */
  private base(path: NamePath, scope: NamespaceNode): NamespaceNode | null {
    let node: NamespaceNode | null = path.absolute ? this.root : scope;
    for (let i = 0; i < path.parentPrefixes && node != null; i++) node = node.parent;
    return node;
  }

  /**
   * Resolves a path from `scope`. A single bare segment follows the ACPI
   * search rules (the scope, then each parent up to the root); anything
   * else is resolved exactly.
   */
  lookup(path: NamePath, scope: NamespaceNode): NamespaceNode | null {
    if (path.length == 0) return path.absolute ? this.root : this.base(path, scope);
    if (path.isSimple()) {
      const key = path.key(0);
      for (let s: NamespaceNode | null = scope; s != null; s = s.parent) {
        const found = s.childByKey(key);
        if (found != null) return found;
      }
      return null;
    }
    let node = this.base(path, scope);
    for (let i = 0; i < path.length && node != null; i++) node = node.childByKey(path.key(i));
    return node;
  }

  /** The parent a new object named `path` goes under, or null if it does not exist. */
  parentFor(path: NamePath, scope: NamespaceNode): NamespaceNode | null {
    let node = this.base(path, scope);
    for (let i = 0; i < path.length - 1 && node != null; i++) node = node.childByKey(path.key(i));
    return node;
  }

  /** Every node below the root, depth first, children in creation order. */
  walk(visit: (node: NamespaceNode) => void): void {
    const root = this.root;
    for (let n: NamespaceNode | null = root.firstChild; n != null; n = n!.nextUnder(root)) visit(n);
  }

  /** How many objects there are below the root. */
  count(): i32 {
    let n = 0;
    const root = this.root;
    for (let c: NamespaceNode | null = root.firstChild; c != null; c = c!.nextUnder(root)) n++;
    return n;
  }

  /** `<path> <type>` for every object, sorted: the `namespace` listing. */
  listing(): Array<string> {
    const lines = new Array<string>();
    const root = this.root;
    for (let n: NamespaceNode | null = root.firstChild; n != null; n = n!.nextUnder(root)) lines.push(n.path() + " " + typeName(n.type));
    lines.sort();
    return lines;
  }
}
