#!/bin/sh
# The quick suite, `npm run test:fast`: every test file except those in the slow directories,
# which run the server or the package as a separate process, drive external tools, or cut power:
#   test/cli        the `tributary` command as a child process (built bundle: `npm run build`)
#   test/e2e        the AWS CLI, boto3, the KCL and long consumer scenarios against the server
#   test/crash      kill -9, supervisor restarts, traced fsync order
#   test/embedding  the package's startServer, also imported by name from a child process
#   test/docs       every example in README.md and docs/ run against a server
#   test/container  the container image (podman or docker)
# The rule is the directory alone: a test that needs a process, a build or an external tool goes
# in one of these (test/unit/test-split.test.ts checks it). `npm test` runs everything; CI runs that.
set -eu
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json --noEmit

# See scripts/test.sh: the AWS SDK's Node.js 20 warning, ten lines per process.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

files=$(find test -name '*.test.ts' -type f \
  -not -path 'test/cli/*' -not -path 'test/e2e/*' -not -path 'test/crash/*' \
  -not -path 'test/embedding/*' -not -path 'test/docs/*' -not -path 'test/container/*' | sort)
if [ -z "$files" ]; then
  echo "scripts/test-fast.sh: no test files found under test/" >&2
  exit 1
fi
# shellcheck disable=SC2086 # one argument per file; test file names have no spaces
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec $files
