/** Which context managers support only `async with`, and which only `with`. */
import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../core/semantic';
import { unparenthesize } from '../../core/syntax';

const ASYNC_ONLY_TYPES = new Set([
  'asyncio.Lock', 'asyncio.Semaphore', 'asyncio.BoundedSemaphore', 'asyncio.Condition', 'asyncio.TaskGroup',
  'aiohttp.ClientSession', 'httpx.AsyncClient', 'anyio.Lock', 'trio.Lock', 'aiosqlite.Connection', 'asyncpg.Pool',
]);
const ASYNC_ONLY_CALLS = new Set([
  'asyncio.timeout', 'asyncio.timeout_at', 'anyio.create_task_group', 'trio.open_nursery', 'aiofiles.open', 'aiosqlite.connect',
]);
const SYNC_ONLY_TYPES = new Set([
  'io.IOBase', 'threading.Lock', 'threading.RLock', 'threading.Semaphore', 'threading.Condition',
  'concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.ProcessPoolExecutor', 'requests.Session', 'httpx.Client',
  'sqlite3.Connection', 'socket.socket', 'smtplib.SMTP', 'ftplib.FTP', 'subprocess.Popen',
]);

export type ManagerKind = 'async-only' | 'sync-only' | undefined;

/** What protocol the context manager `expr` supports, when known; the type or call named, for messages. */
export function managerKind(expr: Node, semantic: SemanticModel): { kind: ManagerKind; what: string } {
  const node = unparenthesize(expr);
  if (node.type === 'call') {
    const name = semantic.calleeName(node);
    if (name && ASYNC_ONLY_CALLS.has(name)) return { kind: 'async-only', what: `${name}()` };
  }
  const value = semantic.resolve(node);
  if (value?.kind === 'instance') {
    if (ASYNC_ONLY_TYPES.has(value.type)) return { kind: 'async-only', what: value.type };
    if (SYNC_ONLY_TYPES.has(value.type)) return { kind: 'sync-only', what: value.type === 'io.IOBase' ? 'file object' : value.type };
  }
  if (value?.kind === 'object') {
    const sync = !!semantic.findMethod(value.cls, '__enter__');
    const async = !!semantic.findMethod(value.cls, '__aenter__');
    const external = value.cls.bases.some((b) => semantic.resolve(b)?.kind !== 'class');
    if (!external && async && !sync) return { kind: 'async-only', what: value.cls.name };
    if (!external && sync && !async) return { kind: 'sync-only', what: value.cls.name };
  }
  return { kind: undefined, what: '' };
}

/** The context-manager expressions of a `with` statement. */
export function withManagers(statement: Node): Node[] {
  const clause = statement.namedChildren.find((c) => c.type === 'with_clause');
  return (clause?.namedChildren ?? [])
    .filter((item) => item.type === 'with_item')
    .map((item) => {
      const value = item.childForFieldName('value');
      return value?.type === 'as_pattern' ? value.namedChildren[0] : value;
    })
    .filter((v): v is Node => !!v);
}
