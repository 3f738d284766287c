#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/cli).
import('../dist/cli/bin.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/bin.js')) {
    console.error('drill: not built yet; run `npm install && npm run build` first');
    process.exit(3);
  }
  throw err;
});
