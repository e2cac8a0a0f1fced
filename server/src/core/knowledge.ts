/**
 * What the analyzer knows about the standard library and common third-party
 * libraries, as data: canonical names, which calls return which types, and
 * which functions are coroutine functions. Names are fully qualified
 * (`requests.Session.get`: method `get` of an instance of `requests.Session`).
 */

/** Re-exports and implementation modules mapped to the public name users import. */
const NAME_ALIASES: ReadonlyMap<string, string> = new Map([
  ['requests.api', 'requests'],
  ['requests.sessions.Session', 'requests.Session'],
  ['requests.sessions.session', 'requests.Session'],
  ['requests.session', 'requests.Session'],
  ['concurrent.futures.thread.ThreadPoolExecutor', 'concurrent.futures.ThreadPoolExecutor'],
  ['concurrent.futures.process.ProcessPoolExecutor', 'concurrent.futures.ProcessPoolExecutor'],
  ['concurrent.futures._base.Future', 'concurrent.futures.Future'],
  ['concurrent.futures._base.Executor', 'concurrent.futures.Executor'],
  ['asyncio.events.AbstractEventLoop', 'asyncio.AbstractEventLoop'],
  ['asyncio.base_events.BaseEventLoop', 'asyncio.AbstractEventLoop'],
  ['asyncio.BaseEventLoop', 'asyncio.AbstractEventLoop'],
  ['asyncio.events.get_event_loop', 'asyncio.get_event_loop'],
  ['asyncio.events.get_running_loop', 'asyncio.get_running_loop'],
  ['asyncio.events.new_event_loop', 'asyncio.new_event_loop'],
  ['asyncio.tasks', 'asyncio'],
  ['asyncio.taskgroups.TaskGroup', 'asyncio.TaskGroup'],
  ['pathlib.PosixPath', 'pathlib.Path'],
  ['pathlib.WindowsPath', 'pathlib.Path'],
  ['posixpath', 'os.path'],
  ['ntpath', 'os.path'],
  ['genericpath', 'os.path'],
  ['redis.StrictRedis', 'redis.Redis'],
  ['redis.client.Redis', 'redis.Redis'],
  ['redis.client.StrictRedis', 'redis.Redis'],
  ['redis.asyncio.client.Redis', 'redis.asyncio.Redis'],
  ['redis.asyncio.StrictRedis', 'redis.asyncio.Redis'],
  ['urllib3.poolmanager.PoolManager', 'urllib3.PoolManager'],
  ['urllib3.poolmanager.ProxyManager', 'urllib3.ProxyManager'],
  ['urllib3.connectionpool.HTTPConnectionPool', 'urllib3.HTTPConnectionPool'],
  ['urllib3.connectionpool.HTTPSConnectionPool', 'urllib3.HTTPConnectionPool'],
  ['urllib3.HTTPSConnectionPool', 'urllib3.HTTPConnectionPool'],
  ['pymongo.mongo_client.MongoClient', 'pymongo.MongoClient'],
  ['queue.SimpleQueue', 'queue.Queue'],
  ['queue.LifoQueue', 'queue.Queue'],
  ['queue.PriorityQueue', 'queue.Queue'],
  ['threading.BoundedSemaphore', 'threading.Semaphore'],
  ['multiprocessing.context.Process', 'multiprocessing.Process'],
  ['smtplib.SMTP_SSL', 'smtplib.SMTP'],
  ['smtplib.LMTP', 'smtplib.SMTP'],
  ['ftplib.FTP_TLS', 'ftplib.FTP'],
  ['httpx._client.Client', 'httpx.Client'],
  ['httpx._client.AsyncClient', 'httpx.AsyncClient'],
  ['aiohttp.client.ClientSession', 'aiohttp.ClientSession'],
  // Every kind of real file object is "a file" for the blocking-I/O rules (BytesIO/StringIO are not: they are in memory).
  ...['io.TextIOWrapper', 'io.BufferedReader', 'io.BufferedWriter', 'io.BufferedRandom', 'io.FileIO', 'io.RawIOBase',
    'io.BufferedIOBase', 'io.TextIOBase', 'typing.IO', 'typing.TextIO', 'typing.BinaryIO', 'gzip.GzipFile',
    'bz2.BZ2File', 'lzma.LZMAFile', 'tempfile.SpooledTemporaryFile', '_io.TextIOWrapper',
  ].map((name): [string, string] => [name, 'io.IOBase']),
]);

/** Rewrites the longest aliased prefix of a dotted name to its public spelling. */
export function canonicalName(name: string): string {
  if (name.startsWith('builtins.')) name = name.slice('builtins.'.length);
  let end = name.length;
  while (end > 0) {
    const prefix = name.slice(0, end);
    const alias = NAME_ALIASES.get(prefix);
    if (alias !== undefined && alias !== prefix) return alias + name.slice(end);
    end = name.lastIndexOf('.', end - 1);
  }
  return name;
}

const FILE = 'io.IOBase';
const PATH = 'pathlib.Path';
const LOOP = 'asyncio.AbstractEventLoop';
const CF_FUTURE = 'concurrent.futures.Future';
const TASK = 'asyncio.Task';

/** The type of the value a call returns, for calls whose result has methods we care about. */
export const RETURN_TYPES: ReadonlyMap<string, string> = new Map([
  ['open', FILE],
  ['io.open', FILE],
  ['io.open_code', FILE],
  ['os.fdopen', FILE],
  ['codecs.open', FILE],
  ['gzip.open', FILE],
  ['bz2.open', FILE],
  ['lzma.open', FILE],
  ['tempfile.TemporaryFile', FILE],
  ['tempfile.NamedTemporaryFile', FILE],
  ['pathlib.Path.open', FILE],
  ...['cwd', 'home', 'resolve', 'absolute', 'with_name', 'with_suffix', 'with_stem', 'joinpath', 'expanduser', 'relative_to', 'readlink'].map(
    (m): [string, string] => [`${PATH}.${m}`, PATH],
  ),
  ['sqlite3.connect', 'sqlite3.Connection'],
  ['sqlite3.Connection.cursor', 'sqlite3.Cursor'],
  ['sqlite3.Connection.execute', 'sqlite3.Cursor'],
  ['sqlite3.Connection.executemany', 'sqlite3.Cursor'],
  ['sqlite3.Cursor.execute', 'sqlite3.Cursor'],
  ['psycopg2.connect', 'psycopg2.extensions.connection'],
  ['psycopg2.extensions.connection.cursor', 'psycopg2.extensions.cursor'],
  ['pymysql.connect', 'pymysql.connections.Connection'],
  ['pymysql.Connect', 'pymysql.connections.Connection'],
  ['pymysql.connections.Connection.cursor', 'pymysql.cursors.Cursor'],
  ['MySQLdb.connect', 'MySQLdb.connections.Connection'],
  ['MySQLdb.connections.Connection.cursor', 'MySQLdb.cursors.Cursor'],
  ['redis.from_url', 'redis.Redis'],
  ['redis.Redis.from_url', 'redis.Redis'],
  ['redis.asyncio.from_url', 'redis.asyncio.Redis'],
  ['redis.asyncio.Redis.from_url', 'redis.asyncio.Redis'],
  ['pymongo.MongoClient.get_database', 'pymongo.database.Database'],
  ['pymongo.database.Database.get_collection', 'pymongo.collection.Collection'],
  ['socket.socket', 'socket.socket'],
  ['socket.create_connection', 'socket.socket'],
  ['socket.create_server', 'socket.socket'],
  ['socket.fromfd', 'socket.socket'],
  ['asyncio.get_event_loop', LOOP],
  ['asyncio.get_running_loop', LOOP],
  ['asyncio.new_event_loop', LOOP],
  ['asyncio.create_task', TASK],
  ['asyncio.ensure_future', TASK],
  [`${LOOP}.create_task`, TASK],
  ['asyncio.TaskGroup.create_task', TASK],
  ['concurrent.futures.ThreadPoolExecutor.submit', CF_FUTURE],
  ['concurrent.futures.ProcessPoolExecutor.submit', CF_FUTURE],
  ['concurrent.futures.Executor.submit', CF_FUTURE],
  ['asyncio.run_coroutine_threadsafe', CF_FUTURE],
  ['threading.Lock', 'threading.Lock'],
  ['threading.RLock', 'threading.RLock'],
  ['multiprocessing.Queue', 'multiprocessing.Queue'],
  ['aiohttp.ClientSession.get', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.post', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.put', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.patch', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.delete', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.head', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.request', 'aiohttp.ClientResponse'],
]);

/** Types of attributes (not calls) of instances. */
export const ATTRIBUTE_TYPES: ReadonlyMap<string, string> = new Map([
  [`${PATH}.parent`, PATH],
  ['pymongo.MongoClient.*', 'pymongo.database.Database'],
  ['pymongo.database.Database.*', 'pymongo.collection.Collection'],
]);

/** Types whose subscripts (`client["db"]`) give another known type. */
export const SUBSCRIPT_TYPES: ReadonlyMap<string, string> = new Map([
  ['pymongo.MongoClient', 'pymongo.database.Database'],
  ['pymongo.database.Database', 'pymongo.collection.Collection'],
]);

/** What `await call(...)` evaluates to, for calls whose awaited result has methods we care about. */
export const AWAIT_RESULT_TYPES: ReadonlyMap<string, string> = new Map([
  ['asyncio.create_subprocess_exec', 'asyncio.subprocess.Process'],
  ['asyncio.create_subprocess_shell', 'asyncio.subprocess.Process'],
  ['aiohttp.ClientSession.get', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.post', 'aiohttp.ClientResponse'],
  ['aiohttp.ClientSession.request', 'aiohttp.ClientResponse'],
  ['asyncpg.connect', 'asyncpg.Connection'],
  ['asyncpg.create_pool', 'asyncpg.Pool'],
  ['aiosqlite.connect', 'aiosqlite.Connection'],
]);

/** What `async with X as y` / `with X as y` binds `y` to, when it is not X itself. */
export const ENTER_TYPES: ReadonlyMap<string, string> = new Map([
  ['asyncpg.Pool.acquire', 'asyncpg.Connection'],
]);

function methods(type: string, names: readonly string[]): string[] {
  return names.map((n) => `${type}.${n}`);
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];
const REDIS_COMMANDS = [
  'get', 'set', 'delete', 'exists', 'expire', 'incr', 'decr', 'incrby', 'hget', 'hset', 'hgetall', 'hdel',
  'lpush', 'rpush', 'lpop', 'rpop', 'lrange', 'sadd', 'srem', 'smembers', 'zadd', 'zrange', 'publish',
  'keys', 'mget', 'mset', 'ping', 'close', 'aclose', 'execute_command', 'setex', 'ttl', 'blpop', 'brpop',
];

/**
 * Functions and methods that are `async def` (or return an awaitable that does
 * nothing until awaited), so calling them without `await` is a bug.
 */
export const KNOWN_COROUTINES: ReadonlySet<string> = new Set([
  ...[
    'sleep', 'wait_for', 'wait', 'to_thread', 'open_connection', 'open_unix_connection', 'start_server',
    'start_unix_server', 'create_subprocess_exec', 'create_subprocess_shell', 'staggered_race',
  ].map((n) => `asyncio.${n}`),
  ...methods('asyncio.Queue', ['get', 'put', 'join']),
  ...methods('asyncio.PriorityQueue', ['get', 'put', 'join']),
  ...methods('asyncio.LifoQueue', ['get', 'put', 'join']),
  ...methods('asyncio.Lock', ['acquire']),
  ...methods('asyncio.Event', ['wait']),
  ...methods('asyncio.Condition', ['acquire', 'wait', 'wait_for']),
  ...methods('asyncio.Semaphore', ['acquire']),
  ...methods('asyncio.BoundedSemaphore', ['acquire']),
  ...methods('asyncio.Barrier', ['wait', 'reset', 'abort']),
  ...methods('asyncio.StreamReader', ['read', 'readline', 'readexactly', 'readuntil']),
  ...methods('asyncio.StreamWriter', ['drain', 'wait_closed', 'start_tls']),
  ...methods('asyncio.subprocess.Process', ['wait', 'communicate']),
  ...methods(LOOP, [
    'sock_recv', 'sock_recv_into', 'sock_recvfrom', 'sock_sendall', 'sock_sendto', 'sock_connect', 'sock_accept',
    'sock_sendfile', 'getaddrinfo', 'getnameinfo', 'create_connection', 'create_server', 'create_unix_connection',
    'create_unix_server', 'create_datagram_endpoint', 'connect_read_pipe', 'connect_write_pipe', 'subprocess_exec',
    'subprocess_shell', 'shutdown_asyncgens', 'shutdown_default_executor', 'sendfile', 'start_tls',
    'connect_accepted_socket',
  ]),
  ...[
    'sleep', 'sleep_forever', 'sleep_until', 'open_tcp_stream', 'open_ssl_over_tcp_stream', 'open_unix_socket',
    'serve_tcp', 'serve_listeners', 'run_process', 'open_file', 'to_thread.run_sync', 'lowlevel.checkpoint',
  ].map((n) => `trio.${n}`),
  ...methods('trio.Event', ['wait']),
  ...methods('trio.Lock', ['acquire']),
  ...[
    'sleep', 'sleep_forever', 'sleep_until', 'open_file', 'connect_tcp', 'connect_unix', 'create_tcp_listener',
    'run_process', 'to_thread.run_sync', 'to_process.run_sync', 'wait_all_tasks_blocked', 'lowlevel.checkpoint',
  ].map((n) => `anyio.${n}`),
  ...methods('anyio.Event', ['wait']),
  ...methods('anyio.Lock', ['acquire']),
  ...methods('anyio.Path', [
    'read_text', 'write_text', 'read_bytes', 'write_bytes', 'exists', 'is_file', 'is_dir', 'mkdir', 'unlink',
    'stat', 'rename', 'iterdir', 'open', 'touch',
  ]),
  ...methods('aiohttp.ClientSession', [...HTTP_VERBS, 'close', 'ws_connect']),
  ...methods('aiohttp.ClientResponse', ['json', 'text', 'read']),
  ...methods('httpx.AsyncClient', [...HTTP_VERBS, 'send', 'aclose']),
  'aiofiles.open',
  ...['remove', 'rename', 'mkdir', 'makedirs', 'stat', 'listdir', 'scandir', 'unlink', 'rmdir', 'path.exists', 'path.isfile', 'path.isdir'].map(
    (n) => `aiofiles.os.${n}`,
  ),
  'aiosqlite.connect',
  ...methods('aiosqlite.Connection', ['execute', 'executemany', 'commit', 'rollback', 'close', 'cursor']),
  'asyncpg.connect',
  'asyncpg.create_pool',
  ...methods('asyncpg.Connection', ['fetch', 'fetchrow', 'fetchval', 'execute', 'executemany', 'close']),
  ...methods('asyncpg.Pool', ['fetch', 'fetchrow', 'fetchval', 'execute', 'executemany', 'close', 'acquire']),
  ...methods('redis.asyncio.Redis', REDIS_COMMANDS),
]);

/**
 * True for a called dotted name whose last part looks like a class (`Session`, `SMTP`): only
 * called names get here, and a capitalised callable is a class in all but exotic code.
 */
export function looksLikeClass(qualifiedName: string): boolean {
  const last = qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1);
  return /^_?[A-Z]/.test(last);
}
