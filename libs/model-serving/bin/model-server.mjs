#!/usr/bin/env node
// The `model-server` command. A committed file, so npm can link the command at install time,
// before the `prepare` script has built what it runs.
import '../dist/cli/main.js';
