package sqlite

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/sqlite/lib"
)

// The writer's VFS: SQLite's own unix VFS, except that the write-ahead
// log's frames are gathered and written to the file a commit at a time.
//
// SQLite writes each frame of a commit with two pwrite calls, its 24-byte
// header and its page. A ConfirmAuthorizations changes about 12 pages, so
// a group of 20 of them made about 500 system calls in its commit, two
// thirds of the commit's CPU (docs/benchmarks.md, finding 24). Here the
// frames go into a buffer, written with one call when a write does not
// follow the last one, when the buffer is full, and at the end of the
// frame that commits a transaction: its header names the database's new
// size, which only a commit frame does. So every frame of a commit is in
// the file before SQLite publishes the commit in the wal-index (which it
// does after writing the last frame, with no call to the file between),
// and a failed write fails the commit as it would have. Reads, syncs,
// truncation, size queries, file controls and close write the buffer out
// first, so the file never looks different to SQLite than without it.
//
// Only the writer connection opens its log through this VFS: the readers
// and the checkpointer never write the log.

// walVFSName names the VFS in the writer's DSN (vfs=...).
const walVFSName = "casebook-wal"

// walBufferSize bounds a buffered run of frames: 31 frames of 4 KB pages,
// as unix writes at most 128 KB less one byte a call (seekAndWriteFd).
const walBufferSize = 31 * (walFrameHeaderSize + 4096)

// walFrameHeaderSize is the size of a frame's header; bytes 4-7 of it are
// the database's size in pages after a commit, and 0 in other frames.
const walFrameHeaderSize = 24

var (
	walVFSOnce sync.Once
	walVFSErr  error

	// SQLite's unix VFS, which does the work, and its xOpen.
	unixVFS, unixOpen uintptr
	// The VFS registered as walVFSName; SQLite keeps its address, so it
	// lives for the life of the process, as do the two below.
	walVFS lib.Tsqlite3_vfs
	// The methods of a log file opened through walVFS: those unix gives
	// it (unixWALMethods) with the ones that touch the file wrapped.
	walMethodsOnce sync.Once
	walMethods     lib.Tsqlite3_io_methods
	unixWALMethods uintptr                 // their address, as unix sets it
	unixMethods    lib.Tsqlite3_io_methods // and a copy, to call them

	// The open log files, by the address of their sqlite3_file.
	walFiles sync.Map // uintptr -> *walFile

	// Writes SQLite asked for and write calls made, for tests.
	walWrites, walWriteCalls atomic.Int64
)

// walFile is a log file's buffer of frames not yet written. SQLite uses a
// file from one connection, under that connection's mutex, so the buffer
// needs no lock of its own.
type walFile struct {
	buf       []byte
	off       int64 // the file offset of buf[0]
	commitEnd bool  // the next write is the page of a commit frame
}

// registerWALVFS registers walVFSName once per process.
func registerWALVFS() error {
	walVFSOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		unixVFS = lib.Xsqlite3_vfs_find(tls, 0)
		if unixVFS == 0 {
			walVFSErr = fmt.Errorf("sqlite: no default VFS")
			return
		}
		walVFS = *at[lib.Tsqlite3_vfs](unixVFS)
		unixOpen = walVFS.FxOpen
		name, err := libc.CString(walVFSName)
		if err != nil {
			walVFSErr = fmt.Errorf("sqlite: register VFS: %w", err)
			return
		}
		walVFS.FzName, walVFS.FpNext = name, 0
		*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walVFS.FxOpen)) = walOpen
		if rc := lib.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&walVFS)), 0); rc != lib.SQLITE_OK {
			walVFSErr = fmt.Errorf("sqlite: register VFS: error %d", rc)
		}
	})
	return walVFSErr
}

// at turns an address SQLite handed over into a pointer: SQLite's memory
// is outside Go's heap, so the collector has nothing to track.
func at[T any](p uintptr) *T { return (*T)(unsafe.Add(unsafe.Pointer(nil), p)) }

// walOpen is the VFS's xOpen: unix's, and a log file gets the buffered
// methods.
func walOpen(tls *libc.TLS, _, zName, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	rc := (*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&unixOpen)))(tls, unixVFS, zName, pFile, flags, pOutFlags)
	if rc != lib.SQLITE_OK || flags&lib.SQLITE_OPEN_WAL == 0 {
		return rc
	}
	file := at[lib.Tsqlite3_file](pFile)
	if file.FpMethods == 0 {
		return rc
	}
	walMethodsOnce.Do(func() {
		unixWALMethods = file.FpMethods
		unixMethods = *at[lib.Tsqlite3_io_methods](unixWALMethods)
		walMethods = unixMethods
		*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walMethods.FxClose)) = walClose
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxRead)) = walRead
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxWrite)) = walWrite
		*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&walMethods.FxTruncate)) = walTruncate
		*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxSync)) = walSync
		*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileSize)) = walFileSize
		*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileControl)) = walFileControl
	})
	if file.FpMethods != unixWALMethods {
		return rc // methods of another kind: left unbuffered
	}
	walFiles.Store(pFile, &walFile{buf: make([]byte, 0, walBufferSize)})
	file.FpMethods = uintptr(unsafe.Pointer(&walMethods))
	return rc
}

func walFileOf(pFile uintptr) *walFile {
	w, _ := walFiles.Load(pFile)
	return w.(*walFile)
}

// flushFirst writes out pFile's buffer before another of unix's methods
// looks at the file.
func flushFirst(tls *libc.TLS, pFile uintptr) int32 {
	return walFileOf(pFile).flush(tls, pFile)
}

// flush writes the buffered frames with one call.
func (w *walFile) flush(tls *libc.TLS, pFile uintptr) int32 {
	if len(w.buf) == 0 {
		return lib.SQLITE_OK
	}
	rc := unixWrite(tls, pFile, uintptr(unsafe.Pointer(&w.buf[0])), int32(len(w.buf)), w.off)
	w.buf = w.buf[:0]
	return rc
}

// unixWrite writes with unix's own method.
func unixWrite(tls *libc.TLS, pFile, p uintptr, n int32, off int64) int32 {
	walWriteCalls.Add(1)
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&unixMethods.FxWrite)))(tls, pFile, p, n, off)
}

func walWrite(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	w := walFileOf(pFile)
	walWrites.Add(1)
	if len(w.buf) > 0 && (iOfst != w.off+int64(len(w.buf)) || len(w.buf)+int(iAmt) > cap(w.buf)) {
		if rc := w.flush(tls, pFile); rc != lib.SQLITE_OK {
			return rc
		}
	}
	if int(iAmt) > cap(w.buf) {
		return unixWrite(tls, pFile, zBuf, iAmt, iOfst)
	}
	data := unsafe.Slice(at[byte](zBuf), iAmt)
	if len(w.buf) == 0 {
		w.off = iOfst
	}
	w.buf = append(w.buf, data...)
	if w.commitEnd {
		w.commitEnd = false
		return w.flush(tls, pFile)
	}
	w.commitEnd = iAmt == walFrameHeaderSize && binary.BigEndian.Uint32(data[4:8]) != 0
	return lib.SQLITE_OK
}

func walRead(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	if rc := flushFirst(tls, pFile); rc != lib.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&unixMethods.FxRead)))(tls, pFile, zBuf, iAmt, iOfst)
}

func walTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	if rc := flushFirst(tls, pFile); rc != lib.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&unixMethods.FxTruncate)))(tls, pFile, size)
}

func walSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	if rc := flushFirst(tls, pFile); rc != lib.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&unixMethods.FxSync)))(tls, pFile, flags)
}

func walFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	if rc := flushFirst(tls, pFile); rc != lib.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&unixMethods.FxFileSize)))(tls, pFile, pSize)
}

func walFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	if rc := flushFirst(tls, pFile); rc != lib.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&unixMethods.FxFileControl)))(tls, pFile, op, pArg)
}

func walClose(tls *libc.TLS, pFile uintptr) int32 {
	rc := flushFirst(tls, pFile)
	walFiles.Delete(pFile)
	// The file is closed even if the last write failed, as unix does.
	if crc := (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&unixMethods.FxClose)))(tls, pFile); rc == lib.SQLITE_OK {
		rc = crc
	}
	return rc
}
