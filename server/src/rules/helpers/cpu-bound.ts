/**
 * Decides, from a function's body alone, whether it does CPU-bound pure-Python
 * work: loops or comprehensions with arithmetic, or recursion, with no I/O, no
 * awaits, and no calls the analyzer cannot vouch for. Unknown calls make the
 * verdict "not CPU-bound": a false alarm here would send users to processes
 * for nothing, so the analysis only speaks when it is sure.
 */
import type { Node } from 'web-tree-sitter';
import type { FunctionInfo, SemanticModel } from '../../core/semantic';
import { sameNode, unparenthesize } from '../../core/syntax';
import { ALL_BLOCKING_NAMES } from './blocking-calls';

export interface CpuEvidence {
  /** Human description: "a `for` loop with arithmetic (line 12)". */
  reason: string;
  node: Node;
}

/** Calls that compute without I/O and hold the GIL (or are too cheap to matter). */
const PURE_FUNCTIONS = new Set([
  'range', 'len', 'sum', 'min', 'max', 'abs', 'pow', 'divmod', 'int', 'float', 'complex', 'str', 'bool', 'list', 'tuple',
  'dict', 'set', 'frozenset', 'sorted', 'reversed', 'enumerate', 'zip', 'map', 'filter', 'any', 'all', 'round', 'ord',
  'chr', 'isinstance', 'issubclass', 'hash', 'bin', 'hex', 'oct', 'bytes', 'bytearray', 'iter', 'next', 'repr', 'format',
  'print', 'divmod', 'callable', 'getattr', 'hasattr', 'id', 'type', 'slice',
]);
const PURE_MODULES = [
  'math.', 'cmath.', 'statistics.', 'operator.', 'itertools.', 'functools.', 'random.', 'bisect.', 'heapq.',
  'collections.', 'decimal.', 'fractions.', 'string.', 'struct.', 'logging.', 're.', 'copy.',
];
/** Methods that are pure computation whatever the receiver (containers, strings, numbers, loggers). */
const PURE_METHODS = new Set([
  'append', 'extend', 'insert', 'pop', 'popleft', 'appendleft', 'add', 'discard', 'remove', 'update', 'get', 'setdefault',
  'items', 'keys', 'values', 'copy', 'sort', 'reverse', 'count', 'index', 'join', 'split', 'rsplit', 'strip', 'lstrip',
  'rstrip', 'lower', 'upper', 'replace', 'format', 'startswith', 'endswith', 'encode', 'decode', 'hexdigest', 'digest',
  'is_integer', 'bit_length', 'to_bytes', 'isdigit', 'isalpha', 'find', 'partition', 'zfill', 'translate', 'splitlines',
  'most_common', 'intersection', 'union', 'difference', 'issubset', 'issuperset', 'clear',
  'debug', 'info', 'warning', 'error', 'exception',
]);
const ARITHMETIC = new Set(['+', '-', '*', '/', '//', '%', '**', '<<', '>>', '&', '|', '^', '@']);
const LOOP_NAMES: Record<string, string> = {
  for_statement: 'a `for` loop',
  while_statement: 'a `while` loop',
  list_comprehension: 'a comprehension',
  set_comprehension: 'a comprehension',
  dictionary_comprehension: 'a comprehension',
  generator_expression: 'a generator expression',
};
const MAX_CALL_DEPTH = 3;

interface Frame {
  node: Node;
  /** The outermost loop the node is in, within the function. */
  loop: Node | undefined;
  inSlice: boolean;
}

interface LoopFacts {
  node: Node;
  binary: boolean;
  counter: boolean;
  calls: boolean;
}

type Verdict = { kind: 'cpu'; evidence: CpuEvidence } | { kind: 'not-cpu' };

export class CpuBoundAnalysis {
  private readonly cache = new Map<number, Verdict>();

  constructor(private readonly semantic: SemanticModel) {}

  /** Evidence that `fn` (a `def` or `lambda`) is CPU-bound, or undefined. */
  evidenceFor(fn: FunctionInfo): CpuEvidence | undefined {
    const verdict = this.analyze(fn, 0, new Set());
    return verdict.kind === 'cpu' ? verdict.evidence : undefined;
  }

  private analyze(fn: FunctionInfo, depth: number, active: Set<number>): Verdict {
    const cached = this.cache.get(fn.node.id);
    if (cached) return cached;
    if (fn.isAsync || depth > MAX_CALL_DEPTH) return { kind: 'not-cpu' };
    active.add(fn.node.id);
    const verdict = this.analyzeBody(fn, depth, active);
    active.delete(fn.node.id);
    this.cache.set(fn.node.id, verdict);
    return verdict;
  }

  private analyzeBody(fn: FunctionInfo, depth: number, active: Set<number>): Verdict {
    const body = fn.node.childForFieldName('body');
    if (!body) return { kind: 'not-cpu' };
    let evidence: CpuEvidence | undefined;
    let recursion: Node | undefined;
    let arithmetic = false;
    // Per outermost loop: what kind of arithmetic it does, and whether it calls anything.
    const loops = new Map<number, LoopFacts>();
    const stack: Frame[] = [{ node: body, loop: undefined, inSlice: false }];
    while (stack.length > 0) {
      const { node, loop, inSlice } = stack.pop()!;
      const type = node.type;
      if (type === 'await' || type === 'yield' || (type === 'with_statement' && node.firstChild?.type === 'async')) {
        return { kind: 'not-cpu' };
      }
      if (type === 'function_definition' || type === 'class_definition' || type === 'lambda') continue;
      const facts = loop ? loops.get(loop.id) : undefined;
      if (type === 'call') {
        const call = this.classifyCall(node, fn, depth, active);
        if (call === 'io') return { kind: 'not-cpu' };
        if (call === 'self') recursion ??= node;
        else if (typeof call === 'object') evidence ??= call;
        if (facts && !PURE_FUNCTIONS.has(this.semantic.calleeName(node) ?? '')) facts.calls = true;
      }
      // Index arithmetic (`data[i:i + n]`) is bookkeeping, not computation.
      if (type === 'binary_operator' && !inSlice && ARITHMETIC.has(node.childForFieldName('operator')?.type ?? '')) {
        arithmetic = true;
        if (facts) facts.binary = true;
      } else if (type === 'augmented_assignment' && ARITHMETIC.has((node.childForFieldName('operator')?.type ?? '').replace('=', ''))) {
        arithmetic = true;
        if (facts) facts.counter = true;
      }
      let childLoop = loop;
      if (!loop && type in LOOP_NAMES) {
        childLoop = node;
        loops.set(node.id, { node, binary: false, counter: false, calls: false });
      }
      const subscripted = type === 'subscript' ? node.childForFieldName('value') : null;
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i];
        if (!c) continue;
        const isIndex = type === 'slice' || (type === 'subscript' && !sameNode(c, subscripted));
        stack.push({ node: c, loop: childLoop, inSlice: inSlice || isIndex });
      }
    }
    for (const { node, binary, counter, calls } of loops.values()) {
      // A loop that only bumps counters while calling out (`h.update(chunk); i += n`) spends its time in the callee.
      if (!evidence && (binary || (counter && !calls))) {
        evidence = { reason: `${LOOP_NAMES[node.type]} with arithmetic at line ${node.startPosition.row + 1}`, node };
      }
    }
    if (!evidence && recursion && arithmetic) {
      evidence = { reason: `recursion with arithmetic at line ${recursion.startPosition.row + 1}`, node: recursion };
    }
    return evidence ? { kind: 'cpu', evidence } : { kind: 'not-cpu' };
  }

  /** 'io' for I/O or anything unknown, 'self' for recursion, evidence for a CPU-bound callee, 'pure' otherwise. */
  private classifyCall(call: Node, fn: FunctionInfo, depth: number, active: Set<number>): 'io' | 'pure' | 'self' | CpuEvidence {
    const callee = call.childForFieldName('function');
    if (!callee) return 'io';
    const value = this.semantic.resolve(callee);
    if (value?.kind === 'function') {
      if (value.fn.node.id === fn.node.id) return 'self';
      if (active.has(value.fn.node.id)) return 'pure';
      const verdict = this.analyze(value.fn, depth + 1, active);
      if (verdict.kind === 'cpu') {
        return { reason: `calls \`${value.fn.name}\`, which has ${verdict.evidence.reason}`, node: call };
      }
      return this.isNeutralFunction(value.fn) ? 'pure' : 'io';
    }
    if (value?.kind === 'name') {
      if (ALL_BLOCKING_NAMES.has(value.name)) return 'io';
      if (PURE_FUNCTIONS.has(value.name) || PURE_MODULES.some((m) => value.name.startsWith(m))) return 'pure';
      if (callee.type === 'attribute' && PURE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) {
        return ALL_BLOCKING_NAMES.has(value.name) ? 'io' : 'pure';
      }
      // A function of another workspace module, judged by its own summary: CPU-bound there is
      // CPU-bound here (the chain goes into the reason); anything else stays unknown.
      const external = this.semantic.workspace?.findFunction(value.name);
      const cpu = external?.summary.cpu;
      if (external && cpu) {
        return { reason: `calls \`${external.qualifiedName}\`, which has ${cpu.reason} of ${external.module.moduleName}`, node: call };
      }
      return 'io';
    }
    if (callee.type === 'attribute' && PURE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) {
      const receiver = unparenthesize(callee.childForFieldName('object') ?? callee);
      return receiver.type === 'call' && this.classifyCall(receiver, fn, depth, active) === 'io' ? 'io' : 'pure';
    }
    return 'io';
  }

  /** A local helper that is neither CPU-bound nor doing I/O (small pure helpers). */
  private isNeutralFunction(fn: FunctionInfo): boolean {
    if (fn.isAsync) return false;
    const body = fn.node.childForFieldName('body');
    if (!body) return false;
    let neutral = true;
    const stack: Node[] = [body];
    while (stack.length > 0 && neutral) {
      const node = stack.pop()!;
      if (node.type === 'call') {
        const name = this.semantic.calleeName(node);
        const callee = node.childForFieldName('function');
        const pureMethod = callee?.type === 'attribute' && PURE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '');
        if (!(name && (PURE_FUNCTIONS.has(name) || PURE_MODULES.some((m) => name.startsWith(m)))) && !pureMethod) neutral = false;
      }
      if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') continue;
      for (const c of node.namedChildren) stack.push(c);
    }
    return neutral;
  }
}
