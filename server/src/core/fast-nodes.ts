/**
 * Faster versions of the web-tree-sitter `Node` members that the analysis calls millions of times
 * (`namedChildren`, `childForFieldName`, `type`, `endIndex`); a node's field children are kept on
 * it, as its children lists are (rules ask a call for its `function` again and again).
 *
 * web-tree-sitter passes a node to WebAssembly by writing its five words into a transfer buffer
 * with Emscripten's generic `setValue` (a switch on a type name per word), reads nodes back with
 * `getValue`, and builds each `Node` through a class whose field initializers run per object: about
 * a quarter of a full analysis on the corpus. These versions call the same exported functions of
 * the same WebAssembly module, write and read the words straight through the module's `HEAP32`,
 * and make nodes with the same fields in the same order (so they share the library's hidden class
 * and its getters work on them unchanged). `test/fast-nodes.test.ts` compares them with the
 * library's own members on every fixture.
 *
 * Installed only when the module object given to `Parser.init` turned out to be the module itself
 * (Emscripten fills in the object it is given) and has every function used here; otherwise the
 * library's members stay.
 */
import { Node, type Language, type Tree } from 'web-tree-sitter';

interface TreeSitterModule {
  HEAP32: Int32Array;
  _ts_init(): number;
  _free(address: number): void;
  _ts_node_named_children_wasm(tree: number): void;
  _ts_node_child_by_field_id_wasm(tree: number, fieldId: number): void;
  _ts_node_symbol_wasm(tree: number): number;
  _ts_node_end_index_wasm(tree: number): number;
}

/** The library's own members, kept for the tests that compare. */
export const libraryNodeMembers: { namedChildren?: () => Node[]; childForFieldName?: (name: string) => Node | null; type?: () => string; endIndex?: () => number } = {};

/** A node's internal words: the library's fields, which these versions read and write. */
type RawNode = Node & { 0: number; _other?: number; _children?: Node[]; _namedChildren?: Node[]; _fields?: Record<string, Node | null>; __type?: string; tree: Tree & { 0: number } };

/**
 * Makes nodes with the library's fields, in its order, without its per-object field initializers; a
 * plain constructor lets the engine size the objects up front.
 */
function FastNode(this: Record<string | number, unknown>, tree: Tree, id: number, startIndex: number, row: number, column: number, other: number): void {
  this._children = undefined;
  this._namedChildren = undefined;
  this._fields = undefined;
  this.id = id;
  this.startIndex = startIndex;
  this.startPosition = { row, column };
  this.tree = tree;
  // The library keeps this word as the element `[0]`, which costs each object a backing store of
  // its own; here it is a plain field, and `[0]` reads it through the prototype (see below).
  this._other = other;
}
FastNode.prototype = Node.prototype;

const FUNCTIONS = ['_ts_init', '_free', '_ts_node_named_children_wasm', '_ts_node_child_by_field_id_wasm', '_ts_node_symbol_wasm', '_ts_node_end_index_wasm'] as const;

export function installFastNodes(module: Partial<TreeSitterModule>): boolean {
  if (!(module.HEAP32 instanceof Int32Array) || FUNCTIONS.some((name) => typeof module[name] !== 'function')) return false;
  const wasm = module as TreeSitterModule;
  const proto = Node.prototype as unknown as Record<string, unknown>;
  if (proto.__fastNodes) return true;
  const getter = (name: string) => Object.getOwnPropertyDescriptor(Node.prototype, name)?.get;
  const namedChildren = getter('namedChildren');
  const type = getter('type');
  const endIndex = getter('endIndex');
  const childForFieldName = Node.prototype.childForFieldName;
  if (!namedChildren || !type || !endIndex) return false;
  libraryNodeMembers.namedChildren = namedChildren as () => Node[];
  libraryNodeMembers.type = type as () => string;
  libraryNodeMembers.endIndex = endIndex as () => number;
  libraryNodeMembers.childForFieldName = childForFieldName;

  // In 32-bit words. The heap can grow (and `HEAP32` be replaced) during any call into the module.
  const transfer = wasm._ts_init() >> 2;
  const put = (node: RawNode): number => {
    const heap = wasm.HEAP32;
    heap[transfer] = node.id;
    heap[transfer + 1] = node.startIndex;
    heap[transfer + 2] = node.startPosition.row;
    heap[transfer + 3] = node.startPosition.column;
    const other = node._other;
    heap[transfer + 4] = other === undefined ? node[0] : other;
    return node.tree[0];
  };
  const make = (tree: Tree, heap: Int32Array, at: number): RawNode =>
    new (FastNode as unknown as new (...args: unknown[]) => RawNode)(tree, heap[at], heap[at + 1], heap[at + 2], heap[at + 3], heap[at + 4]);
  const fieldIds = new WeakMap<Language, Map<string, number>>();

  Object.defineProperty(Node.prototype, 'namedChildren', {
    configurable: true,
    get(this: RawNode): Node[] {
      if (this._namedChildren) return this._namedChildren;
      wasm._ts_node_named_children_wasm(put(this));
      const heap = wasm.HEAP32;
      const count = heap[transfer]!;
      const buffer = heap[transfer + 1]!;
      const children = new Array<Node>(count);
      for (let i = 0, at = buffer >> 2; i < count; i++, at += 5) children[i] = make(this.tree, heap, at);
      if (count > 0) wasm._free(buffer);
      this._namedChildren = children;
      return children;
    },
  });
  Node.prototype.childForFieldName = function (this: RawNode, name: string): Node | null {
    const cached = this._fields?.[name];
    if (cached !== undefined) return cached;
    const language = this.tree.language;
    let ids = fieldIds.get(language);
    if (!ids) fieldIds.set(language, (ids = new Map(language.fields.map((field, id) => [field ?? '', id]))));
    const id = ids.get(name);
    if (id === undefined || name === '') return null;
    wasm._ts_node_child_by_field_id_wasm(put(this), id);
    const heap = wasm.HEAP32;
    let child: Node | null = null;
    if (heap[transfer] !== 0) {
      // A named child is the very object of `namedChildren`: asked again, no call into wasm, and
      // kept-root.ts moves it with the others. (An anonymous one, `+`, is made afresh each time.)
      const fresh = make(this.tree, heap, transfer);
      child = this.namedChildren.find((c) => c.id === fresh.id) ?? null;
      if (!child) return fresh;
    }
    // A plain object: a few fields per node, cheaper than a Map in memory.
    (this._fields ??= {})[name] = child;
    return child;
  };
  Object.defineProperty(Node.prototype, 'type', {
    configurable: true,
    get(this: RawNode): string {
      // A node's type never changes: read once per node object.
      return (this.__type ??= this.tree.language.types[wasm._ts_node_symbol_wasm(put(this))] || 'ERROR');
    },
  });
  Object.defineProperty(Node.prototype, 'endIndex', {
    configurable: true,
    get(this: RawNode): number {
      return wasm._ts_node_end_index_wasm(put(this));
    },
  });
  // The library's own nodes have `[0]` as an element of their own, which hides this.
  Object.defineProperty(Node.prototype, 0, {
    configurable: true,
    get(this: RawNode): number | undefined {
      return this._other;
    },
  });
  proto.__fastNodes = true;
  return true;
}
