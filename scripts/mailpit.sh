#!/bin/sh
# mailpit.sh makes sure a Mailpit binary (a real SMTP server with an HTTP
# API to read what it received) is available for the e-mail tests
# (notify/mail_test.go) and prints its path.
#
# Order: $CASEBOOK_TEST_MAILPIT, then $(go env GOBIN)/mailpit or
# $(go env GOPATH)/bin/mailpit, then mailpit on $PATH. If none exists it
# waits for a `go install github.com/axllent/mailpit` already running on
# this machine, and otherwise builds one from the Go module proxy with
# `go install github.com/axllent/mailpit@v1.33.1` (a few minutes; progress
# goes to stderr, the path to stdout). The binary stays in GOPATH/bin: the
# next run finds it.
#
#   export CASEBOOK_TEST_MAILPIT="$(scripts/mailpit.sh)"
set -eu

version=v1.33.1

if [ -n "${CASEBOOK_TEST_MAILPIT:-}" ]; then
	if [ -x "$CASEBOOK_TEST_MAILPIT" ]; then
		echo "$CASEBOOK_TEST_MAILPIT"
		exit 0
	fi
	echo "mailpit.sh: CASEBOOK_TEST_MAILPIT=$CASEBOOK_TEST_MAILPIT is not an executable file" >&2
	exit 1
fi

bindir=$(go env GOBIN)
if [ -z "$bindir" ]; then
	bindir="$(go env GOPATH | cut -d: -f1)/bin"
fi
bin="$bindir/mailpit"

found() {
	if [ -x "$bin" ]; then
		echo "$bin"
		return 0
	fi
	if p=$(command -v mailpit 2>/dev/null); then
		echo "$p"
		return 0
	fi
	return 1
}

found && exit 0

building='go install github.com/axllent/mailpit(@| |$)'
if pgrep -f "$building" >/dev/null 2>&1; then
	echo "mailpit.sh: waiting for the Mailpit build already running..." >&2
	while pgrep -f "$building" >/dev/null 2>&1; do
		sleep 5
	done
	found && exit 0
	echo "mailpit.sh: that build finished without producing $bin; building again" >&2
fi

echo "mailpit.sh: building Mailpit: go install github.com/axllent/mailpit@$version (a few minutes)" >&2
# Outside any module, so the checkout's go.mod is neither read nor touched.
(cd "${TMPDIR:-/tmp}" && GOFLAGS= go install "github.com/axllent/mailpit@$version") >&2
if [ ! -x "$bin" ]; then
	echo "mailpit.sh: go install succeeded but $bin does not exist" >&2
	exit 1
fi
echo "$bin"
