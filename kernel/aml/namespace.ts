// The ACPI namespace: a tree of 4-character names holding AML objects.
// Owns: node creation and removal, the predefined root objects (the same set
// ACPICA creates, so listings compare with acpiexec's), path resolution with
// the ACPI search rules, canonical paths, and notify-handler registration.
// Never: executes AML.

import {
  AmlContainer, AmlInteger, AmlMethod, AmlMutex, AmlObject, AmlString, ObjectType, typeName,
} from "./objects";
import { NamePath } from "./names";

export type NotifyHandler = (node: NamespaceNode, value: u32) => void;

/** Shared by every node without children (most are leaves); never added to: see addChild. */
const NO_CHILDREN = new Array<NamespaceNode>(0);

export class NamespaceNode {
  /** Read-only outside addChild (and the removal of a method's temporaries). */
  children: Array<NamespaceNode> = NO_CHILDREN;
  object: AmlObject | null = null;
  notifyHandler: NotifyHandler | null = null;
  /** Set for nodes a method invocation created; removed when it returns. */
  temporary: bool = false;

  /** The name's four characters as one integer: lookups compare these, not strings. */
  readonly key: u32;
  private cachedPath: string | null = null;

  constructor(public name: string, public parent: NamespaceNode | null) {
    this.key = nameKey(name);
  }

  addChild(node: NamespaceNode): void {
    if (this.children === NO_CHILDREN) this.children = new Array<NamespaceNode>();
    this.children.push(node);
  }

  child(name: string): NamespaceNode | null {
    const key = nameKey(name);
    const children = this.children;
    for (let i = 0, n = children.length; i < n; i++) {
      const c = unchecked(children[i]);
      if (c.key == key) return c;
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

/** Name segments are exactly four characters; anything else gets a key no segment has. */
function nameKey(name: string): u32 {
  if (name.length != 4) return 0;
  // The four UTF-16 code units in one load (charCodeAt is a call each, and
  // lookups compute a key per segment per level).
  const units = load<u64>(changetype<usize>(name));
  return (<u32>(units & 0xffff) << 24) | (<u32>((units >> 16) & 0xffff) << 16) |
    (<u32>((units >> 32) & 0xffff) << 8) | <u32>(units >> 48);
}

export const NATIVE_OSI: i32 = 1;

export class Namespace {
  root: NamespaceNode = new NamespaceNode("\\", null);

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
    const node = new NamespaceNode(name, this.root);
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
    if (path.segments.length == 0) return path.absolute ? this.root : this.base(path, scope);
    if (path.isSimple()) {
      const name = path.segments[0];
      for (let s: NamespaceNode | null = scope; s != null; s = s.parent) {
        const found = s.child(name);
        if (found != null) return found;
      }
      return null;
    }
    let node = this.base(path, scope);
    for (let i = 0; i < path.segments.length && node != null; i++) node = node.child(path.segments[i]);
    return node;
  }

  /** The parent a new object named `path` goes under, or null if it does not exist. */
  parentFor(path: NamePath, scope: NamespaceNode): NamespaceNode | null {
    let node = this.base(path, scope);
    for (let i = 0; i < path.segments.length - 1 && node != null; i++) node = node.child(path.segments[i]);
    return node;
  }

  /** Every node below the root, depth first, children in creation order. */
  walk(visit: (node: NamespaceNode) => void): void {
    const stack = new Array<NamespaceNode>();
    for (let i = this.root.children.length - 1; i >= 0; i--) stack.push(this.root.children[i]);
    while (stack.length > 0) {
      const node = stack.pop();
      visit(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
  }

  /** How many objects there are below the root. */
  count(): i32 {
    let n = 0;
    const stack = new Array<NamespaceNode>();
    stack.push(this.root);
    while (stack.length > 0) {
      const node = stack.pop();
      n += node.children.length;
      for (let i = 0; i < node.children.length; i++) stack.push(node.children[i]);
    }
    return n;
  }

  /** `<path> <type>` for every object, sorted: the `namespace` listing. */
  listing(): Array<string> {
    const lines = new Array<string>();
    const stack = new Array<NamespaceNode>();
    stack.push(this.root);
    while (stack.length > 0) {
      const node = stack.pop();
      if (node.parent != null) lines.push(node.path() + " " + typeName(node.type));
      for (let i = 0; i < node.children.length; i++) stack.push(node.children[i]);
    }
    lines.sort();
    return lines;
  }
}
