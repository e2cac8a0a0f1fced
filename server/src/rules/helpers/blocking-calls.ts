/**
 * The catalog of blocking calls, by rule code: which qualified names block the
 * calling thread, and what to use instead in async code (per async library).
 * Rules AIO101..AIO111 each take their slice; the CPU-bound analysis uses the
 * whole table to recognise I/O.
 */
import type { Node } from 'web-tree-sitter';
import type { AsyncLibrary, SemanticModel } from '../../core/semantic';
import { argument, isFalseLiteral, keywordArgument } from '../../core/syntax';

export interface BlockingCallGroup {
  /** Canonical qualified names of the calls. */
  names: readonly string[];
  /** What to do instead, per async library (asyncio always present). */
  instead: { asyncio: string } & Partial<Record<AsyncLibrary, string>>;
  /** Calls that cannot block after all (`lock.acquire(blocking=False)`). */
  harmless?: (call: Node, semantic: SemanticModel) => boolean;
}

function methods(type: string, names: readonly string[]): string[] {
  return names.map((n) => `${type}.${n}`);
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'] as const;
const TO_THREAD = {
  asyncio: 'run it with `await asyncio.to_thread(...)`',
  trio: 'run it with `await trio.to_thread.run_sync(...)`',
  anyio: 'run it with `await anyio.to_thread.run_sync(...)`',
};

export const BLOCKING_CALLS: Readonly<Record<string, readonly BlockingCallGroup[]>> = {
  AIO101: [
    {
      names: ['time.sleep'],
      instead: { asyncio: 'use `await asyncio.sleep(...)`', trio: 'use `await trio.sleep(...)`', anyio: 'use `await anyio.sleep(...)`' },
    },
  ],
  AIO102: [
    {
      names: [
        ...HTTP_VERBS.map((v) => `requests.${v}`),
        ...methods('requests.Session', [...HTTP_VERBS, 'send']),
        ...HTTP_VERBS.map((v) => `httpx.${v}`),
        'httpx.stream',
        ...methods('httpx.Client', [...HTTP_VERBS, 'send', 'stream', 'close']),
        'urllib.request.urlopen',
        'urllib.request.urlretrieve',
        'urllib3.request',
        ...methods('urllib3.PoolManager', ['request', 'urlopen', 'request_encode_url', 'request_encode_body']),
        ...methods('urllib3.ProxyManager', ['request', 'urlopen']),
        ...methods('urllib3.HTTPConnectionPool', ['request', 'urlopen', 'request_encode_url', 'request_encode_body']),
        ...methods('http.client.HTTPConnection', ['request', 'getresponse']),
        ...methods('http.client.HTTPSConnection', ['request', 'getresponse']),
      ],
      instead: {
        asyncio: 'use an async client (`aiohttp.ClientSession`, `httpx.AsyncClient`) or `await asyncio.to_thread(...)`',
        trio: 'use `httpx.AsyncClient` or `await trio.to_thread.run_sync(...)`',
        anyio: 'use `httpx.AsyncClient` or `await anyio.to_thread.run_sync(...)`',
      },
    },
  ],
  AIO103: [
    {
      names: [
        ...['run', 'call', 'check_call', 'check_output', 'getoutput', 'getstatusoutput', 'Popen'].map((n) => `subprocess.${n}`),
        ...methods('subprocess.Popen', ['wait', 'communicate']),
        'os.system',
        'os.popen',
        ...['spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'posix_spawn', 'posix_spawnp'].map(
          (n) => `os.${n}`,
        ),
      ],
      instead: {
        asyncio: 'use `await asyncio.create_subprocess_exec(...)` (or `create_subprocess_shell`)',
        trio: 'use `await trio.run_process(...)`',
        anyio: 'use `await anyio.run_process(...)`',
      },
    },
  ],
  AIO104: [
    {
      names: ['os.wait', 'os.wait3', 'os.wait4', 'os.waitid', 'os.waitpid'],
      instead: {
        asyncio: 'await the process from `asyncio.create_subprocess_exec(...)` (`await proc.wait()`) or use `await asyncio.to_thread(...)`',
        trio: TO_THREAD.trio,
        anyio: TO_THREAD.anyio,
      },
    },
  ],
  AIO105: [
    {
      names: [
        'open', 'io.open', 'io.open_code', 'os.fdopen', 'codecs.open', 'gzip.open', 'bz2.open', 'lzma.open',
        ...methods('pathlib.Path', ['open', 'read_text', 'write_text', 'read_bytes', 'write_bytes']),
      ],
      instead: {
        asyncio: 'read or write the file in `await asyncio.to_thread(...)`, or use `aiofiles`',
        trio: 'use `await trio.open_file(...)` or `trio.Path`',
        anyio: 'use `await anyio.open_file(...)` or `anyio.Path`',
      },
    },
    {
      names: methods('io.IOBase', ['read', 'readline', 'readlines', 'write', 'writelines', 'flush', 'truncate']),
      instead: {
        asyncio: 'do the file I/O in `await asyncio.to_thread(...)`, or use `aiofiles`',
        trio: 'use a `trio.open_file(...)` file object',
        anyio: 'use an `anyio.open_file(...)` file object',
      },
      harmless: openedInSameFunction,
    },
  ],
  AIO106: [
    {
      names: [
        ...['exists', 'lexists', 'isfile', 'isdir', 'islink', 'ismount', 'getsize', 'getmtime', 'getatime', 'getctime', 'samefile', 'sameopenfile', 'realpath'].map(
          (n) => `os.path.${n}`,
        ),
        ...[
          'listdir', 'scandir', 'stat', 'lstat', 'mkdir', 'makedirs', 'remove', 'unlink', 'rmdir', 'removedirs', 'rename',
          'renames', 'replace', 'walk', 'chmod', 'chown', 'link', 'symlink', 'readlink', 'access', 'truncate', 'utime',
          'statvfs', 'fwalk',
        ].map((n) => `os.${n}`),
        ...[
          'copy', 'copy2', 'copyfile', 'copyfileobj', 'copytree', 'rmtree', 'move', 'make_archive', 'unpack_archive',
          'disk_usage', 'chown', 'copymode', 'copystat',
        ].map((n) => `shutil.${n}`),
        'glob.glob',
        'glob.iglob',
        ...methods('pathlib.Path', [
          'exists', 'is_file', 'is_dir', 'is_symlink', 'is_mount', 'stat', 'lstat', 'mkdir', 'unlink', 'rmdir', 'rename',
          'replace', 'iterdir', 'glob', 'rglob', 'touch', 'resolve', 'chmod', 'owner', 'group', 'samefile', 'readlink',
          'symlink_to', 'hardlink_to', 'walk',
        ]),
      ],
      instead: {
        asyncio: 'run it with `await asyncio.to_thread(...)` (or use `aiofiles.os`)',
        trio: 'use `trio.Path` or `await trio.to_thread.run_sync(...)`',
        anyio: 'use `anyio.Path` or `await anyio.to_thread.run_sync(...)`',
      },
    },
  ],
  AIO107: [
    {
      names: ['input'],
      instead: {
        asyncio: 'use `await asyncio.to_thread(input, ...)`',
        trio: 'use `await trio.to_thread.run_sync(input, ...)`',
        anyio: 'use `await anyio.to_thread.run_sync(input, ...)`',
      },
    },
  ],
  AIO108: [
    {
      // With AI_NUMERICHOST (or NI_NUMERICHOST) only a literal address is parsed: no DNS query.
      names: ['socket.getaddrinfo', 'socket.getnameinfo'],
      instead: {
        asyncio: 'use `await loop.getaddrinfo(...)` / `await loop.getnameinfo(...)`, or `await asyncio.to_thread(...)`',
        trio: 'use `await trio.socket.getaddrinfo(...)` or `await trio.to_thread.run_sync(...)`',
        anyio: 'use `await anyio.getaddrinfo(...)` or `await anyio.to_thread.run_sync(...)`',
      },
      harmless: (call) => /\b[AN]I_NUMERICHOST\b/.test(call.childForFieldName('arguments')?.text ?? '') || isLiteralAddress(argument(call, 0)),
    },
    {
      names: [
        'socket.create_connection', 'socket.gethostbyname', 'socket.gethostbyname_ex',
        'socket.gethostbyaddr', 'socket.getfqdn',
        'smtplib.SMTP',
        ...methods('smtplib.SMTP', ['connect', 'login', 'starttls', 'sendmail', 'send_message', 'ehlo', 'helo', 'quit', 'noop', 'verify']),
        'ftplib.FTP',
        ...methods('ftplib.FTP', ['connect', 'login', 'cwd', 'nlst', 'dir', 'retrbinary', 'retrlines', 'storbinary', 'storlines', 'quit', 'mlsd', 'size', 'delete', 'rename', 'mkd', 'rmd']),
      ],
      instead: {
        asyncio:
          'use the event loop\'s async networking (`asyncio.open_connection`, `loop.getaddrinfo`, `loop.sock_*`; `aiosmtplib` for mail) or `await asyncio.to_thread(...)`',
        trio: 'use `trio.open_tcp_stream`, `trio.socket` or `await trio.to_thread.run_sync(...)`',
        anyio: 'use `anyio.connect_tcp`, `anyio.getaddrinfo` or `await anyio.to_thread.run_sync(...)`',
      },
    },
    {
      names: methods('socket.socket', ['connect', 'connect_ex', 'accept', 'recv', 'recv_into', 'recvfrom', 'recvfrom_into', 'send', 'sendall', 'sendto', 'sendfile']),
      instead: {
        asyncio: 'use `loop.sock_recv`/`loop.sock_sendall`/`loop.sock_connect`/`loop.sock_accept`, or asyncio streams',
        trio: 'use a `trio.socket` socket or `trio.SocketStream`',
        anyio: 'use `anyio.connect_tcp` / an anyio socket stream',
      },
      harmless: handlesBlockingIOError,
    },
  ],
  AIO109: [
    {
      names: [
        'sqlite3.connect',
        ...methods('sqlite3.Connection', ['execute', 'executemany', 'executescript', 'commit', 'rollback', 'backup', 'close']),
        ...methods('sqlite3.Cursor', ['execute', 'executemany', 'executescript', 'fetchone', 'fetchmany', 'fetchall']),
        'psycopg2.connect',
        ...methods('psycopg2.extensions.connection', ['commit', 'rollback']),
        ...methods('psycopg2.extensions.cursor', ['execute', 'executemany', 'fetchone', 'fetchmany', 'fetchall', 'callproc', 'copy_from', 'copy_to', 'copy_expert']),
        'pymysql.connect',
        'pymysql.Connect',
        ...methods('pymysql.connections.Connection', ['commit', 'rollback', 'ping']),
        ...methods('pymysql.cursors.Cursor', ['execute', 'executemany', 'fetchone', 'fetchmany', 'fetchall', 'callproc']),
        'MySQLdb.connect',
        ...methods('MySQLdb.connections.Connection', ['commit', 'rollback']),
        ...methods('MySQLdb.cursors.Cursor', ['execute', 'executemany', 'fetchone', 'fetchmany', 'fetchall']),
        ...methods('redis.Redis', [
          'get', 'set', 'delete', 'exists', 'expire', 'incr', 'decr', 'incrby', 'hget', 'hset', 'hgetall', 'hdel', 'lpush',
          'rpush', 'lpop', 'rpop', 'lrange', 'sadd', 'srem', 'smembers', 'zadd', 'zrange', 'publish', 'keys', 'mget', 'mset',
          'ping', 'execute_command', 'setex', 'ttl', 'blpop', 'brpop', 'flushdb', 'scan',
        ]),
        'pymongo.MongoClient',
        ...methods('pymongo.collection.Collection', [
          'find_one', 'insert_one', 'insert_many', 'update_one', 'update_many', 'replace_one', 'delete_one', 'delete_many',
          'aggregate', 'count_documents', 'estimated_document_count', 'find_one_and_update', 'find_one_and_delete',
          'find_one_and_replace', 'bulk_write', 'distinct', 'create_index', 'drop',
        ]),
      ],
      instead: {
        asyncio:
          'use an async driver (`aiosqlite`, `asyncpg`/`psycopg` async, `aiomysql`, `redis.asyncio`, `motor`/`pymongo.AsyncMongoClient`) or `await asyncio.to_thread(...)`',
        trio: 'use an async driver or `await trio.to_thread.run_sync(...)`',
        anyio: 'use an async driver or `await anyio.to_thread.run_sync(...)`',
      },
    },
  ],
  AIO110: [
    {
      names: methods('threading.Lock', ['acquire']).concat(
        methods('threading.RLock', ['acquire']),
        methods('threading.Semaphore', ['acquire']),
        methods('threading.Condition', ['acquire']),
      ),
      instead: {
        asyncio: 'use `asyncio.Lock`/`asyncio.Semaphore` with `async with`, or acquire it in `await asyncio.to_thread(...)`',
        trio: 'use `trio.Lock`/`trio.Semaphore`',
        anyio: 'use `anyio.Lock`/`anyio.Semaphore`',
      },
      harmless: (call) => isFalseLiteral(argument(call, 0, 'blocking')) || isZeroTimeout(call),
    },
    {
      names: [
        ...methods('threading.Event', ['wait']),
        ...methods('threading.Condition', ['wait', 'wait_for']),
        ...methods('threading.Barrier', ['wait']),
        ...methods('threading.Thread', ['join']),
        ...methods('multiprocessing.Process', ['join']),
      ],
      instead: {
        asyncio: 'use the asyncio equivalent (`asyncio.Event`, `asyncio.Condition`, `asyncio.Barrier`) or wait in `await asyncio.to_thread(...)`',
        trio: 'use `trio.Event` or `await trio.to_thread.run_sync(...)`',
        anyio: 'use `anyio.Event` or `await anyio.to_thread.run_sync(...)`',
      },
      harmless: isZeroTimeout,
    },
    {
      names: [...methods('queue.Queue', ['get', 'join']), ...methods('multiprocessing.Queue', ['get'])],
      instead: {
        asyncio: 'use `asyncio.Queue` (`await queue.get()`), or call `get_nowait()`',
        trio: 'use a `trio` memory channel',
        anyio: 'use an `anyio` memory object stream',
      },
      harmless: (call) => isFalseLiteral(argument(call, 0, 'block')) || isZeroTimeout(call),
    },
  ],
  AIO111: [
    {
      names: [
        ...methods('concurrent.futures.Future', ['result', 'exception']),
        'concurrent.futures.wait',
        'concurrent.futures.as_completed',
      ],
      instead: {
        asyncio: 'use `await asyncio.wrap_future(future)` (or `await loop.run_in_executor(...)` instead of `submit`)',
        trio: TO_THREAD.trio,
        anyio: TO_THREAD.anyio,
      },
      harmless: isZeroTimeout,
    },
  ],
};

/**
 * A file method on a file this same function opened: the `open()` is already
 * reported, and reporting every read after it would only repeat the finding.
 */
function openedInSameFunction(call: Node, semantic: SemanticModel): boolean {
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (!receiver) return false;
  if (receiver.type === 'call') return true;
  if (receiver.type !== 'identifier') return false;
  let name = receiver;
  // Follow `f = ff` aliases back to the `open(...)` call.
  for (let hops = 0; hops < 5; hops++) {
    const binding = semantic.lookup(name.text, name);
    const opener = binding?.kind === 'with' ? binding.manager : binding?.kind === 'assign' ? binding.value : undefined;
    if (!binding || !opener) return false;
    if (semantic.enclosingFunction(binding.node)?.node.id !== semantic.enclosingFunction(call)?.node.id) return false;
    if (opener.type === 'call') return true;
    if (opener.type !== 'identifier') return false;
    name = opener;
  }
  return false;
}

/**
 * A socket call inside `try: ... except BlockingIOError:` is a non-blocking socket used the
 * way event loops themselves use them: it returns at once instead of waiting.
 */
function handlesBlockingIOError(call: Node, semantic: SemanticModel): boolean {
  let child = call;
  for (let parent = semantic.parentOf(call); parent; child = parent, parent = semantic.parentOf(parent)) {
    if (parent.type === 'function_definition' || parent.type === 'lambda') return false;
    if (parent.type === 'try_statement' && parent.childForFieldName('body')?.id === child.id) {
      const handlers = parent.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
      if (handlers.some((h) => /\b(BlockingIOError|SSLWantReadError|SSLWantWriteError)\b/.test(h.namedChildren[0]?.text ?? ''))) return true;
    }
  }
  return false;
}

/** `"1.2.3.4"` or `"::1"` written out: the resolver parses it without a query. */
function isLiteralAddress(arg: Node | undefined): boolean {
  if (arg?.type !== 'string' || arg.namedChildren.some((c) => c.type === 'interpolation')) return false;
  const text = arg.text.replace(/^[a-zA-Z]*(['"])(.*)\1$/s, '$2');
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (/^[0-9a-fA-F:]+$/.test(text) && text.includes(':'));
}

function isZeroTimeout(call: Node): boolean {
  const timeout = keywordArgument(call, 'timeout');
  return !!timeout && (timeout.text === '0' || timeout.text === '0.0');
}

/** Every blocking qualified name, for analyses that only need to know "this is I/O". */
export const ALL_BLOCKING_NAMES: ReadonlySet<string> = new Set(
  Object.values(BLOCKING_CALLS).flatMap((groups) => groups.flatMap((g) => g.names)),
);

const GROUP_BY_NAME = new Map<string, { code: string; group: BlockingCallGroup }>();
for (const [code, groups] of Object.entries(BLOCKING_CALLS)) {
  for (const group of groups) for (const name of group.names) GROUP_BY_NAME.set(name, { code, group });
}

/** The catalog entry of a call that blocks the calling thread, if it is one (whatever function it is in). */
export function blockingSiteOf(call: Node, semantic: SemanticModel): { code: string; name: string; group: BlockingCallGroup } | undefined {
  const name = semantic.calleeName(call);
  const entry = name ? GROUP_BY_NAME.get(name) : undefined;
  if (!name || !entry || entry.group.harmless?.(call, semantic)) return undefined;
  return { code: entry.code, name, group: entry.group };
}
