// Bundles the extension client, the language server and the CLI into dist/,
// and copies what they load at run time (grammar, tree-sitter runtime, rule pages) next to them.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = 'dist';

// web-tree-sitter's ESM entry reads import.meta.url, which is empty in a CommonJS bundle.
const importMetaUrlFix = {
  banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__import_meta_url' },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] },
  {
    ...common,
    ...importMetaUrlFix,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrlFix.banner.js}` },
    entryPoints: ['server/src/server.ts'],
    outfile: `${outdir}/server.js`,
  },
  {
    ...common,
    ...importMetaUrlFix,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrlFix.banner.js}` },
    entryPoints: ['server/src/cli.ts'],
    outfile: `${outdir}/cli.js`,
  },
  // One worker thread per core for the CLI; loaded from next to cli.js.
  { ...common, ...importMetaUrlFix, entryPoints: ['server/src/cli/worker.ts'], outfile: `${outdir}/cli-worker.js` },
];

function copyAssets() {
  fs.mkdirSync(outdir, { recursive: true });
  fs.copyFileSync('grammars/tree-sitter-python.wasm', `${outdir}/tree-sitter-python.wasm`);
  fs.copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', `${outdir}/web-tree-sitter.wasm`);
  fs.rmSync(`${outdir}/docs`, { recursive: true, force: true });
  fs.cpSync('docs/rules', `${outdir}/docs/rules`, { recursive: true });
  if (fs.existsSync('docs/concepts')) fs.cpSync('docs/concepts', `${outdir}/docs/concepts`, { recursive: true });
  for (const bin of ['server.js', 'cli.js']) if (fs.existsSync(path.join(outdir, bin))) fs.chmodSync(path.join(outdir, bin), 0o755);
}

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  copyAssets();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  copyAssets();
}
