/**
 * Files no one writes on purpose but every tool meets: random bytes, files cut off mid-character,
 * invalid UTF-8, NUL bytes, a 200,000-character line, 10,000-deep nesting, 50 MB of Python.
 * Each is built from a seed, so a failure names a file that can be rebuilt exactly.
 */
import fc from 'fast-check';

export interface NastyFile {
  name: string;
  bytes: Buffer;
}

const BASE = `import asyncio
import time


async def handler(request):
    """Greets 😀 in 𝔘𝔫𝔦𝔠𝔬𝔡𝔢."""
    time.sleep(1)
    await asyncio.sleep(0)
    return "é"
`;

const DEPTH = 10_000;

function text(name: string, content: string): NastyFile {
  return { name, bytes: Buffer.from(content, 'utf8') };
}

/** The structural extremes, each a few hundred KB at most except the 50 MB file. */
export function extremeFiles(options: { hugeMb: number }): NastyFile[] {
  const base = Buffer.from(BASE, 'utf8');
  const huge = BASE.repeat(Math.ceil((options.hugeMb * 1024 * 1024) / base.length));
  return [
    text('long_line.py', `${BASE}x = "${'a'.repeat(200_000)}"\nasync def after():\n    time.sleep(1)\n`),
    // A finding on a line padded with 200,000 spaces before a comment (the "ignore on this line" fix scans that line).
    text('long_whitespace_line.py', `${BASE}async def g():\n    time.sleep(1)${' '.repeat(200_000)}# trailing comment\n`),
    text('long_line_code.py', `${BASE}async def f():\n    ${Array.from({ length: 20_000 }, (_, i) => `time.sleep(${i})`).join('; ')}\n`),
    text('deep_parens.py', `x = ${'('.repeat(DEPTH)}1${')'.repeat(DEPTH)}\n${BASE}`),
    text('deep_lists_unclosed.py', `${BASE}x = ${'['.repeat(DEPTH)}\n`),
    text('deep_calls.py', `${BASE}async def f():\n    ${'fetch('.repeat(DEPTH)}${')'.repeat(DEPTH)}\n`),
    text('deep_awaits.py', `${BASE}async def f():\n    x = ${'await '.repeat(DEPTH)}fetch()\n`),
    text('deep_lambdas.py', `${BASE}f = ${'lambda: '.repeat(DEPTH)}time.sleep(1)\n`),
    text('deep_attributes.py', `${BASE}async def f():\n    x${'.a'.repeat(DEPTH)}()\n`),
    text('deep_binop.py', `${BASE}x = ${Array.from({ length: DEPTH }, () => 'f()').join(' + ')}\n`),
    // Indentation costs i characters at depth i, so 1,000 nested async defs is already 500 KB.
    text('deep_async_defs.py', `import time\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}async def f${i}():`).join('\n')}\n${' '.repeat(1000)}time.sleep(1)\n`),
    text('unclosed_string.py', `${BASE}x = """${'never closed\n'.repeat(10_000)}`),
    { name: 'nul_early.py', bytes: Buffer.concat([base, Buffer.from([0]), base]) },
    // Past the 8 KB binary sniff: the file is text with a stray NUL, and is analyzed.
    { name: 'nul_late.py', bytes: Buffer.concat([Buffer.from(BASE.repeat(40), 'utf8'), Buffer.from([0]), base]) },
    { name: 'invalid_utf8.py', bytes: Buffer.concat([base, Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), base]) },
    { name: 'bom.py', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), base]) },
    { name: 'empty.py', bytes: Buffer.alloc(0) },
    text('crlf_and_cr.py', BASE.replace(/\n/g, '\r\n') + BASE.replace(/\n/g, '\r')),
    text('huge.py', huge),
  ];
}

/** Random bytes, and the base file cut at random byte offsets (often mid-character). */
export function randomFiles(count: number, seed: number): NastyFile[] {
  const base = Buffer.from(BASE, 'utf8');
  const blobs = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), { numRuns: count, seed });
  const cuts = fc.sample(fc.nat({ max: base.length - 1 }), { numRuns: count, seed: seed + 1 });
  return [
    ...blobs.map((b, i) => ({ name: `random_${i}.py`, bytes: Buffer.from(b) })),
    ...cuts.map((n, i) => ({ name: `truncated_${i}.py`, bytes: base.subarray(0, n) })),
  ];
}
