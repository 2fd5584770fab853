// Package blob holds what the attachment stores share: the rules for keys.
// The stores themselves are blob/fs (a local directory) and blob/s3 (any
// S3-compatible server); blob/blobtest is the conformance suite both pass.
package blob

import (
	"strings"

	"github.com/casebook/casebook"
)

// MaxKeyLen is the longest key accepted. It fits one file name (NAME_MAX is
// 255 on Linux), so the fs store can keep a key in a single directory entry.
const MaxKeyLen = 255

// CheckKey returns an EINVALID error unless key is safe for every store:
// 1..MaxKeyLen characters of [A-Za-z0-9._/-], split by "/" into non-empty
// segments none of which starts with "." (which rules out "." and ".." and
// keeps the fs store's temporary files, named ".tmp-*", out of the key space).
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return casebook.Invalidf("key", "Blob key must be 1 to %d characters long.", MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == '/', c == '-':
		default:
			return casebook.Invalidf("key", "Blob key %q has a character outside [A-Za-z0-9._/-].", key)
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return casebook.Invalidf("key", "Blob key %q has an empty path segment.", key)
		}
		if seg[0] == '.' {
			return casebook.Invalidf("key", "Blob key %q has a path segment starting with a dot.", key)
		}
	}
	return nil
}
