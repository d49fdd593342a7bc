#!/usr/bin/env node
import { EXIT } from './errors.js';
import { main } from './program.js';

const code = await main(process.argv);
// A failure exits at once (an open pool must not keep it alive); `serve` keeps running on success.
process.exitCode = code;
if (code !== EXIT.ok) process.exit(code);
