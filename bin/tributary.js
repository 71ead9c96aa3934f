#!/usr/bin/env node
// dist/tributary.mjs is the whole CLI in one module (scripts/bundle.mjs), built by `npm run build`.
import "../dist/tributary.mjs";
