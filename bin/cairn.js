#!/usr/bin/env node
'use strict';
// The AWS SDK warns on every S3 use that Node 20 support ends in 2026; cairn supports Node 20 (see CI), and
// the warning would break the CLI's one-line error contract on stderr.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`cairn: internal error: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
