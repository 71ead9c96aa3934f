#!/usr/bin/env node
// dist/bundle/tributary.mjs is the CLI bundled into a few modules (scripts/bundle.mjs), built by `npm run build`.
import "../dist/bundle/tributary.mjs";
