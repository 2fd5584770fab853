#!/bin/sh
# minio.sh makes sure a MinIO server binary is available for the S3 tests
# (blob/s3, and anything using blob/s3/s3test) and prints its path.
#
# Order: $CASEBOOK_TEST_MINIO, then $(go env GOBIN)/minio or
# $(go env GOPATH)/bin/minio, then minio on $PATH. If none exists it waits
# for a `go install github.com/minio/minio` already running on this machine,
# and otherwise builds one with `go install github.com/minio/minio@latest`
# (about five minutes; progress goes to stderr, the path to stdout).
#
#   export CASEBOOK_TEST_MINIO="$(scripts/minio.sh)"
set -eu

if [ -n "${CASEBOOK_TEST_MINIO:-}" ]; then
	if [ -x "$CASEBOOK_TEST_MINIO" ]; then
		echo "$CASEBOOK_TEST_MINIO"
		exit 0
	fi
	echo "minio.sh: CASEBOOK_TEST_MINIO=$CASEBOOK_TEST_MINIO is not an executable file" >&2
	exit 1
fi

bindir=$(go env GOBIN)
if [ -z "$bindir" ]; then
	bindir="$(go env GOPATH | cut -d: -f1)/bin"
fi
bin="$bindir/minio"

found() {
	if [ -x "$bin" ]; then
		echo "$bin"
		return 0
	fi
	if p=$(command -v minio 2>/dev/null); then
		echo "$p"
		return 0
	fi
	return 1
}

found && exit 0

# A build started by someone else (or another run of this script): wait for
# it rather than compiling MinIO twice on a small machine.
building='go install github.com/minio/minio(@| |$)'
if pgrep -f "$building" >/dev/null 2>&1; then
	echo "minio.sh: waiting for the MinIO build already running..." >&2
	while pgrep -f "$building" >/dev/null 2>&1; do
		sleep 5
	done
	found && exit 0
	echo "minio.sh: that build finished without producing $bin; building again" >&2
fi

echo "minio.sh: building MinIO: go install github.com/minio/minio@latest (about 5 minutes)" >&2
# Outside any module, so the checkout's go.mod is neither read nor touched.
(cd "${TMPDIR:-/tmp}" && GOFLAGS= go install github.com/minio/minio@latest) >&2
if [ ! -x "$bin" ]; then
	echo "minio.sh: go install succeeded but $bin does not exist" >&2
	exit 1
fi
echo "$bin"
