#!/usr/bin/env node
// The command from source, for this repository (`npm run experiments`, the CLI tests): the TypeScript through tsx.
// The package's `bin` is the compiled dist/cli/experiments.js (`npm run build`), which needs no tsx.
import { register } from 'tsx/esm/api';

register();
await import('../experiments.ts');
