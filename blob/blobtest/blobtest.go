// Package blobtest is the conformance suite every casebook.BlobStore must
// pass; blob/fs and blob/s3 run it from their tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// StreamSize is the size of the blob the streaming test sends through the
// store; it is generated on the fly and never held in memory.
const StreamSize = 256 << 20

// MaxHeapGrowth is how far the heap in use may grow above its level before
// the streaming test's Put or Get: a small fraction of StreamSize, so a
// store that buffers the blob fails.
const MaxHeapGrowth = 64 << 20

// Run runs the suite. open must return an empty store; it is called once
// per subtest. The subtests do not call t.Parallel: the streaming test
// measures the heap and must not share it with other tests.
func Run(t *testing.T, open func(t *testing.T) casebook.BlobStore) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, open(t)) })
	t.Run("KeyIsPrefixOfAnother", func(t *testing.T) { testKeyIsPrefixOfAnother(t, open(t)) })
	t.Run("MissingKey", func(t *testing.T) { testMissingKey(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("BadKeys", func(t *testing.T) { testBadKeys(t, open(t)) })
	t.Run("SizeMismatch", func(t *testing.T) { testSizeMismatch(t, open(t)) })
	t.Run("CancelDuringPut", func(t *testing.T) { testCancelDuringPut(t, open(t)) })
	t.Run("FailingReader", func(t *testing.T) { testFailingReader(t, open(t)) })
	t.Run("Streaming", func(t *testing.T) {
		if testing.Short() {
			t.Skip("streams 256 MiB; skipped in -short mode")
		}
		testStreaming(t, open(t))
	})
}

func testRoundTrip(t *testing.T, s casebook.BlobStore) {
	binary := make([]byte, 0, 256*4)
	for range 4 {
		for b := range 256 {
			binary = append(binary, byte(b))
		}
	}
	random := make([]byte, 3<<20+17) // several copy buffers, not aligned
	rand.NewChaCha8([32]byte{1}).Read(random)

	for _, tt := range []struct {
		name, key string
		data      []byte
	}{
		{"Empty", "empty", []byte{}},
		{"Text", "dir/sub/note.txt", []byte("hello, casebook\n")},
		{"AllByteValues", "AC0123456789ABCDEF", binary},
		{"Random3MiB", "acct-1/AC_random.bin", random},
	} {
		for _, size := range []int64{int64(len(tt.data)), -1} {
			t.Run(fmt.Sprintf("%s/size=%d", tt.name, size), func(t *testing.T) {
				ctx := context.Background()
				if err := s.Put(ctx, tt.key, bytes.NewReader(tt.data), size, "application/octet-stream"); err != nil {
					t.Fatalf("Put: %v", err)
				}
				if got := mustGet(t, s, tt.key); !bytes.Equal(got, tt.data) {
					t.Fatalf("Get returned %d bytes (sha256 %x), want %d (sha256 %x)",
						len(got), sha256.Sum256(got), len(tt.data), sha256.Sum256(tt.data))
				}
				if err := s.Delete(ctx, tt.key); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			})
		}
	}
}

func testOverwrite(t *testing.T, s casebook.BlobStore) {
	mustPut(t, s, "k", []byte("the first, longer content"))
	mustPut(t, s, "k", []byte("second"))
	if got := string(mustGet(t, s, "k")); got != "second" {
		t.Fatalf("after overwrite Get = %q, want %q", got, "second")
	}
	// And with an unknown size.
	if err := s.Put(context.Background(), "k", strings.NewReader("third"), -1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if got := string(mustGet(t, s, "k")); got != "third" {
		t.Fatalf("after overwrite Get = %q, want %q", got, "third")
	}
}

// testKeyIsPrefixOfAnother checks that "x" and "x/y" can both exist, as
// they can in S3 (a naive file layout makes x both a file and a directory).
func testKeyIsPrefixOfAnother(t *testing.T, s casebook.BlobStore) {
	mustPut(t, s, "x", []byte("short"))
	mustPut(t, s, "x/y", []byte("long"))
	if got := string(mustGet(t, s, "x")); got != "short" {
		t.Fatalf("Get(x) = %q", got)
	}
	if got := string(mustGet(t, s, "x/y")); got != "long" {
		t.Fatalf("Get(x/y) = %q", got)
	}
}

func testMissingKey(t *testing.T, s casebook.BlobStore) {
	wantNotFound(t, s, "never/stored")
	mustPut(t, s, "present", []byte("x"))
	wantNotFound(t, s, "presen")   // a prefix of a stored key
	wantNotFound(t, s, "present2") // a key a stored one is a prefix of
}

func testDelete(t *testing.T, s casebook.BlobStore) {
	ctx := context.Background()
	mustPut(t, s, "a/b", []byte("content"))
	mustPut(t, s, "a/c", []byte("neighbour"))
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "a/b")
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if err := s.Delete(ctx, "never/stored"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if got := string(mustGet(t, s, "a/c")); got != "neighbour" {
		t.Fatalf("Delete touched another key: Get(a/c) = %q", got)
	}
}

func testBadKeys(t *testing.T, s casebook.BlobStore) {
	ctx := context.Background()
	bad := []string{
		"", "/abs", "/etc/passwd", "..", "../x", "a/../b", "a/..", ".", "./a", "a/./b",
		".hidden", "a/.tmp-123", "a//b", "a/", "a b", `a\b`, "a%b", "ä", "a\x00b", "a\nb",
		strings.Repeat("k", 256),
	}
	for _, key := range bad {
		if err := s.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("Put(%q) error = %v, want EINVALID", key, err)
		}
		if _, err := s.Get(ctx, key); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("Get(%q) error = %v, want EINVALID", key, err)
		}
		if err := s.Delete(ctx, key); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("Delete(%q) error = %v, want EINVALID", key, err)
		}
	}
	// The edges of what is allowed.
	for _, key := range []string{"a", "A-Z_a.z-0.9", "a.b/c..d/e.", strings.Repeat("k", 255)} {
		mustPut(t, s, key, []byte(key))
		if got := string(mustGet(t, s, key)); got != key {
			t.Errorf("Get(%q) = %q", key, got)
		}
	}
}

// testSizeMismatch checks that a stream shorter or longer than its
// declared size stores nothing.
func testSizeMismatch(t *testing.T, s casebook.BlobStore) {
	ctx := context.Background()
	if err := s.Put(ctx, "short", strings.NewReader("12345"), 10, "text/plain"); err == nil {
		t.Error("Put of 5 bytes declared as 10 succeeded")
	}
	wantNotFound(t, s, "short")
	if err := s.Put(ctx, "long", strings.NewReader("1234567890"), 5, "text/plain"); err == nil {
		t.Error("Put of 10 bytes declared as 5 succeeded")
	}
	wantNotFound(t, s, "long")
}

// testCancelDuringPut cancels the context while the store is inside a read
// of the body: the Put must fail, store nothing, and leave an existing
// object as it was.
func testCancelDuringPut(t *testing.T, s casebook.BlobStore) {
	for _, size := range []int64{1 << 20, -1} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			mustPut(t, s, "old", []byte("old content"))
			for _, key := range []string{"new", "old"} {
				ctx, cancel := context.WithCancel(context.Background())
				r := &stallingReader{
					data:      newStream(7, 1<<20),
					stallAt:   64 << 10,
					ctx:       ctx,
					stalled:   make(chan struct{}),
					resumeMax: 10 * time.Second,
				}
				go func() { <-r.stalled; cancel() }()
				err := s.Put(ctx, key, r, size, "application/octet-stream")
				cancel()
				if err == nil {
					t.Fatalf("Put(%s) with a cancelled context succeeded", key)
				}
				if !r.reachedStall.Load() {
					t.Fatalf("Put(%s) failed before reading 64 KiB: %v", key, err)
				}
				t.Logf("Put(%s) error: %v", key, err)
			}
			wantNotFound(t, s, "new")
			if got := string(mustGet(t, s, "old")); got != "old content" {
				t.Fatalf("cancelled Put changed an existing object: Get = %q", got)
			}
		})
	}
}

// testFailingReader checks that a body that fails midway stores nothing
// and leaves an existing object as it was. The 17 MiB case fails after the
// first part of a multipart upload has been sent.
func testFailingReader(t *testing.T, s casebook.BlobStore) {
	for _, tt := range []struct {
		size, failAt int64
	}{
		{1 << 20, 1 << 10},
		{-1, 1 << 10},
		{-1, 17 << 20},
	} {
		t.Run(fmt.Sprintf("size=%d/failAt=%d", tt.size, tt.failAt), func(t *testing.T) {
			mustPut(t, s, "old", []byte("old content"))
			for _, key := range []string{"new", "old"} {
				r := &failingReader{data: newStream(9, tt.failAt+1<<20), failAt: tt.failAt}
				err := s.Put(context.Background(), key, r, tt.size, "application/octet-stream")
				if err == nil {
					t.Fatalf("Put(%s) from a failing reader succeeded", key)
				}
				if r.read < tt.failAt {
					t.Fatalf("Put(%s) stopped after %d bytes, before the reader failed: %v", key, r.read, err)
				}
				t.Logf("Put(%s) error: %v", key, err)
			}
			wantNotFound(t, s, "new")
			if got := string(mustGet(t, s, "old")); got != "old content" {
				t.Fatalf("failed Put changed an existing object: Get = %q", got)
			}
		})
	}
}

// testStreaming sends StreamSize bytes through Put and Get, with unknown
// and with known size, and checks the content by SHA-256 and the memory by
// the heap's peak during each call.
func testStreaming(t *testing.T, s casebook.BlobStore) {
	for _, size := range []int64{-1, StreamSize} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			ctx := context.Background()
			const key = "stream/big.bin"
			src := newStream(42, StreamSize)
			sent := sha256.New()
			growth, alloc := measureHeap(t, func() {
				err := s.Put(ctx, key, io.TeeReader(src, sent), size, "application/octet-stream")
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
			})
			t.Logf("Put: peak heap growth %d KiB, allocated %d KiB", growth>>10, alloc>>10)
			if growth > MaxHeapGrowth {
				t.Errorf("Put grew the heap by %d MiB, want at most %d MiB for a %d MiB stream", growth>>20, MaxHeapGrowth>>20, StreamSize>>20)
			}

			got := sha256.New()
			var n int64
			growth, alloc = measureHeap(t, func() {
				rc, err := s.Get(ctx, key)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				defer rc.Close()
				if n, err = io.Copy(got, rc); err != nil {
					t.Fatalf("read: %v", err)
				}
			})
			t.Logf("Get: peak heap growth %d KiB, allocated %d KiB", growth>>10, alloc>>10)
			if growth > MaxHeapGrowth {
				t.Errorf("Get grew the heap by %d MiB, want at most %d MiB for a %d MiB stream", growth>>20, MaxHeapGrowth>>20, StreamSize>>20)
			}
			if n != StreamSize {
				t.Fatalf("Get returned %d bytes, want %d", n, StreamSize)
			}
			if !bytes.Equal(got.Sum(nil), sent.Sum(nil)) {
				t.Fatalf("Get returned sha256 %x, want %x", got.Sum(nil), sent.Sum(nil))
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// measureHeap runs fn and returns the peak of HeapInuse above its level
// before fn (sampled every few milliseconds while fn runs, and once after)
// and the bytes allocated meanwhile.
func measureHeap(t *testing.T, fn func()) (peakGrowth, allocated uint64) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var peak atomic.Uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		for {
			p := peak.Load()
			if m.HeapInuse <= p || peak.CompareAndSwap(p, m.HeapInuse) {
				return
			}
		}
	}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	func() {
		defer close(done) // also when fn calls t.Fatal
		fn()
	}()
	<-sampled
	sample()

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if p := peak.Load(); p > before.HeapInuse {
		peakGrowth = p - before.HeapInuse
	}
	return peakGrowth, after.TotalAlloc - before.TotalAlloc
}

func mustPut(t *testing.T, s casebook.BlobStore, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s casebook.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

func wantNotFound(t *testing.T, s casebook.BlobStore, key string) {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err == nil {
		data, _ := io.ReadAll(rc)
		rc.Close()
		t.Fatalf("Get(%q) found %d bytes, want ENOTFOUND", key, len(data))
	}
	if code := casebook.ErrorCode(err); code != casebook.ENOTFOUND {
		t.Fatalf("Get(%q) error = %v (code %s), want ENOTFOUND", key, err, code)
	}
}

// newStream returns n deterministic pseudo-random bytes, generated as they
// are read.
func newStream(seed byte, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{seed}), n)
}

// errBoom is what failingReader fails with.
var errBoom = errors.New("blobtest: reader failed on purpose")

// failingReader returns data until failAt bytes have been read, then
// errBoom.
type failingReader struct {
	data   io.Reader
	failAt int64
	read   int64
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.read >= r.failAt {
		return 0, errBoom
	}
	if rest := r.failAt - r.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.data.Read(p)
	r.read += int64(n)
	return n, err
}

// stallingReader returns data until stallAt bytes have been read, then
// signals stalled and blocks until ctx is done (like a client that stops
// sending), then goes on returning data, as a reader that ignores ctx
// would: the store itself must notice the cancellation.
type stallingReader struct {
	data         io.Reader
	stallAt      int64
	read         int64
	ctx          context.Context
	stalled      chan struct{}
	reachedStall atomic.Bool
	resumeMax    time.Duration // a safety net if the test is broken
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.read >= r.stallAt && !r.reachedStall.Load() {
		r.reachedStall.Store(true)
		close(r.stalled)
		select {
		case <-r.ctx.Done():
		case <-time.After(r.resumeMax):
			return 0, errors.New("blobtest: context was not cancelled")
		}
	}
	if !r.reachedStall.Load() {
		if rest := r.stallAt - r.read; int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	n, err := r.data.Read(p)
	r.read += int64(n)
	return n, err
}
