#!/usr/bin/env node
// The `chiiki` operator command: loads the TypeScript CLI through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../infra/cli/main.ts');
