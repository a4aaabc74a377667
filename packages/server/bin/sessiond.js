#!/usr/bin/env node
// The `sessiond` command: the CLI runs from its TypeScript source through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
