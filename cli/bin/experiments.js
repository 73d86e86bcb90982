#!/usr/bin/env node
// Runs the TypeScript command through tsx until the package ships compiled JavaScript (issue 21).
import { register } from 'tsx/esm/api';

register();
await import('../experiments.ts');
