#!/usr/bin/env node
// Thin launcher. The command runs on a worker thread that registers tsx and runs the TypeScript CLI
// (src/cli/launch.mjs), so that SIGINT/SIGTERM reach this thread while a search runs.
import { launch } from '../src/cli/launch.mjs';

launch(process.argv.slice(2));
