// Bundles the console into dist/ with esbuild: one entry, code split at the dynamic imports, CSS and fonts
// copied beside it. dist/ is what server.mjs serves under /hawtio/.
import { build } from 'esbuild'
import { cpSync, rmSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: ['src/index.tsx'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: {
    '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file',
    '.svg': 'file', '.png': 'file', '.jpg': 'file', '.gif': 'file', '.md': 'text',
  },
})
cpSync('public', 'dist', { recursive: true })
console.log('console built into dist/')
