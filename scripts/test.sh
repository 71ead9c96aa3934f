#!/bin/sh
# The whole test suite, as `npm test` and CI run it:
#   1. installs the external tools the tests drive, if missing: the AWS CLI v2 (Debian package
#      awscli, /usr/bin/aws), boto3 for Debian's /usr/bin/python3, strace, and PostgreSQL (Debian
#      package postgresql: the Firehose Redshift destination's tests start their own cluster), and
#      chromium (the web console's browser tests), and nats-server 2.10+ (the NATS engine's tests);
#   2. typechecks the sources and tests;
#   3. runs every test/**/*.test.ts file with node's test runner, two files at a time.
# The e2e tests fail (never skip) when the clients are missing, pointing back here.
set -eu
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
if ! /usr/bin/aws --version 2>/dev/null | grep -q '^aws-cli/2\.'; then missing="$missing awscli"; fi
if ! /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then missing="$missing python3-boto3"; fi
# test/crash/fsync-ordering.test.ts traces the server's system calls.
if ! command -v strace >/dev/null 2>&1; then missing="$missing strace"; fi
# test/firehose/destinations-redshift*.test.ts load into a throwaway PostgreSQL (test/helpers/postgres.ts).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing="$missing postgresql"; fi
# test/firehose/output-compression.test.ts decodes Firehose's Snappy objects with libsnappy as an
# independent reader; output-date-format-java.test.ts compares !{timestamp:…} with the JVM's formatter.
if ! /usr/bin/python3 -c 'import snappy.hadoop_snappy' >/dev/null 2>&1; then missing="$missing python3-snappy"; fi
if ! command -v java >/dev/null 2>&1; then missing="$missing openjdk-17-jre-headless"; fi
# test/e2e/console*.test.ts drive the web console in Debian's chromium through playwright-core.
if [ ! -x /usr/bin/chromium ]; then missing="$missing chromium"; fi
if [ -n "$missing" ]; then
  echo "scripts/test.sh: installing$missing (Debian packages the end-to-end tests drive)"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: update only when the first try fails.
  # shellcheck disable=SC2086 # $missing is a list of package names
  if ! as_root apt-get install -y --no-install-recommends $missing; then
    as_root apt-get update
    # shellcheck disable=SC2086
    as_root apt-get install -y --no-install-recommends $missing
  fi
fi

# The NATS JetStream engine's tests (test/e2e/storage-nats*.test.ts, test/helpers/nats.ts) start
# their own nats-server, which must be 2.10 or later: Debian bookworm ships 2.9.10, so when no
# suitable server is installed, take Debian trixie's package (it needs only libc6 >= 2.34 and
# adduser) straight from the archive: its file name from trixie's package index, then dpkg -i.
nats_server_ok() {
  for candidate in nats-server /usr/sbin/nats-server /usr/bin/nats-server; do
    if "$candidate" --version 2>/dev/null | grep -Eq 'v(2\.(1[0-9]|[2-9][0-9])|[3-9])\.'; then return 0; fi
  done
  return 1
}
if ! nats_server_ok; then
  echo "scripts/test.sh: installing nats-server 2.10+ (Debian trixie's package; the NATS engine's tests start it)"
  mirror=http://deb.debian.org/debian
  arch=$(dpkg --print-architecture)
  # awk reads the whole index (no early exit), so curl never meets a closed pipe.
  deb_path=$(curl -fsSL "$mirror/dists/trixie/main/binary-$arch/Packages.xz" | xz -dc |
    awk '/^Package: /{pkg=$2} /^Filename: /{if (pkg == "nats-server" && path == "") path=$2} END{print path}')
  if [ -z "$deb_path" ]; then
    echo "scripts/test.sh: nats-server not found in Debian trixie's package index" >&2
    exit 1
  fi
  deb_file=$(mktemp -d)/nats-server.deb
  curl -fsSL -o "$deb_file" "$mirror/$deb_path"
  export DEBIAN_FRONTEND=noninteractive
  as_root dpkg -i "$deb_file" >/dev/null
  rm -rf "$(dirname "$deb_file")"
  nats_server_ok || { echo "scripts/test.sh: nats-server 2.10+ is still not installed" >&2; exit 1; }
fi

npx tsc -p tsconfig.json --noEmit

# On Node.js < 22 the AWS SDK for JavaScript warns, in every process that builds a client, that
# its 2027 releases need Node.js 22: ten lines per test file and per child process, hundreds in
# one run. This is the SDK's documented switch (aws/aws-sdk-js-v3#7983); tests that are about the
# warning (test/cli/kcl-sdk-warning.test.ts) remove it from their children's environment.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

# Node 20's --test takes paths, not globs: list the files ourselves.
files=$(find test -name '*.test.ts' -type f | sort)
if [ -z "$files" ]; then
  echo "scripts/test.sh: no test files found under test/" >&2
  exit 1
fi
# shellcheck disable=SC2086 # one argument per file; test file names have no spaces
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec $files
