package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// When serve's log goes to a regular file (casebook serve 2>>casebook.log),
// its lines are collected and written together: one write(2) a request was
// about 4 % of a simple request's CPU (docs/benchmarks.md, finding 20).
// A line at warn or above is written at once with everything before it,
// the rest within logFlushInterval, and all of it when serve stops. A
// terminal, a pipe or a socket (journald, a container runtime, a test)
// gets every line as it is logged, as before.
var (
	logFlushInterval = 100 * time.Millisecond
	logBufferSize    = 64 << 10
)

// bufferedLog is the writer of a log file.
type bufferedLog struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	err  error // the first failed write's, returned by the next Write
	stop chan struct{}
	done chan struct{}
}

// bufferLogFile returns w buffered if it is a regular file, and whether it
// did; Close the result to write out what is left.
func bufferLogFile(w io.Writer) (*bufferedLog, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return nil, false
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	b := &bufferedLog{w: f, buf: make([]byte, 0, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(logFlushInterval)
	return b, true
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		b.flushLocked()
	}
	if len(p) > cap(b.buf) {
		_, err := b.w.Write(p)
		return len(p), err
	}
	b.buf = append(b.buf, p...)
	// The line is kept; an earlier batch that could not be written is
	// reported once, here.
	err := b.err
	b.err = nil
	return len(p), err
}

// Flush writes out the collected lines.
func (b *bufferedLog) Flush() {
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

func (b *bufferedLog) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}

func (b *bufferedLog) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Close stops the periodic writes and writes out the rest.
func (b *bufferedLog) Close() {
	close(b.stop)
	<-b.done
	b.Flush()
}

// flushOnWarn writes a buffered log out after each line at warn or above,
// so that what needs attention is in the file at once.
type flushOnWarn struct {
	slog.Handler
	log *bufferedLog
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.log.Flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.log}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.log}
}
