package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/casebook/casebook"
	blobfs "github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/sqlite"
)

// A backup file is a gzip-compressed tar archive of:
//
//	manifest.json      backupManifest
//	casebook.db        a consistent copy of the SQLite database (VACUUM INTO)
//	blobs/KEY          every attachment the copy refers to
//
// It holds no master key: the operator keeps that apart, and the
// credentials and secret keys sealed in the database open only with it.
const (
	backupFormat   = 1
	backupManifest = "manifest.json"
	backupDB       = "casebook.db"
	backupBlobs    = "blobs/"
)

// manifest describes a backup file.
type manifest struct {
	Format      int       `json:"format"`
	CreatedAt   time.Time `json:"created_at"`
	Version     string    `json:"casebook_version"`
	Attachments int       `json:"attachments"`
	Missing     []string  `json:"missing_attachments,omitempty"`
	// ContentTypes maps the attachments' keys to their content types.
	ContentTypes map[string]string `json:"content_types,omitempty"`
}

// BackupCommand copies the embedded database and the attachments into one
// file while the server runs: `casebook backup FILE`.
type BackupCommand struct {
	Main *Main
}

const backupHelp = `Writes a consistent copy of the SQLite database (taken with VACUUM INTO
inside one read transaction, so writers are not blocked) and of every
attachment it refers to, into FILE, a .tar.gz archive. The server may keep
running. FILE must not exist.

The master key is NOT in the backup: keep it apart (DATA/master.key or
CASEBOOK_MASTER_KEY). Without it the restored grants' credentials and the
secret keys cannot be opened.

PostgreSQL databases and S3 buckets are backed up with their own tools
(pg_dump, mc mirror): see docs/operations.md.`

// parseSQLiteFile parses the command line of backup and restore, FILE and
// then the flags (with --json), and returns the configuration and the path
// of its SQLite database; another engine gets notSQLite.
func (m *Main) parseSQLiteFile(fs *cmdFlags, args []string, notSQLite string) (file string, cfg Config, dbPath string, err error) {
	fs.jsonFlag()
	file, rest, err := positional(fs, args, "FILE")
	if err != nil {
		return "", Config{}, "", err
	}
	if err := fs.parse(rest); err != nil {
		return "", Config{}, "", err
	}
	if cfg, err = m.config(fs); err != nil {
		return "", Config{}, "", err
	}
	kind, dbPath, err := cfg.database()
	if err != nil {
		return "", Config{}, "", err
	}
	if kind != dbSQLite {
		return "", Config{}, "", errors.New(notSQLite)
	}
	return file, cfg, dbPath, nil
}

// Run parses the flags and writes the backup.
func (c *BackupCommand) Run(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("backup", "[flags] FILE", backupHelp, storeFlags)
	file, cfg, dbPath, err := c.Main.parseSQLiteFile(fs, args,
		"backup copies the embedded SQLite database; back up PostgreSQL with pg_dump (docs/operations.md)")
	if err != nil {
		return err
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s exists; backup never overwrites a file", file)
	}

	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("open sqlite database %s: %w", dbPath, err)
	}
	defer db.Close()
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	m, err := writeBackup(ctx, db, blobs, file)
	if err != nil {
		return err
	}
	return c.Main.print(fs.JSON, m, func(w io.Writer) {
		fmt.Fprintf(w, "backup\t%s\nattachments\t%d\n", file, m.Attachments)
		for _, k := range m.Missing {
			fmt.Fprintf(w, "missing\t%s (deleted while the backup ran)\n", k)
		}
		fmt.Fprintln(w, "The master key is not in the backup: keep it apart.")
	})
}

// positional takes the one positional argument of a command, which may come
// before or after the flags, and returns it with the other arguments.
func positional(fs *cmdFlags, args []string, name string) (string, []string, error) {
	var value string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			rest = append(rest, a)
			// A flag's value may be the next argument.
			flagName := strings.TrimLeft(a, "-")
			if f := fs.Lookup(flagName); !strings.Contains(a, "=") && f != nil && !isBoolFlag(f.Value) && i+1 < len(args) {
				i++
				rest = append(rest, args[i])
			}
		case value == "":
			value = a
		default:
			fs.Usage()
			return "", nil, &usageError{fmt.Errorf("unexpected argument %q: only one %s", a, name)}
		}
	}
	if value == "" && !helpRequested(rest) {
		fs.Usage()
		return "", nil, &usageError{fmt.Errorf("%s is required", name)}
	}
	return value, rest, nil
}

func isBoolFlag(v any) bool {
	b, ok := v.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// writeBackup writes the backup of db and blobs to file, through a
// temporary file renamed at the end, so that a failed backup leaves
// nothing that looks like one.
func writeBackup(ctx context.Context, db *sqlite.DB, blobs casebook.BlobStore, file string) (_ *manifest, err error) {
	tmpDir, err := os.MkdirTemp(filepath.Dir(file), ".casebook-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmpDir)

	// Attachments are written before the rows that refer to them and
	// never changed, so copying those the snapshot refers to after taking
	// it gives a consistent pair.
	snapshot := filepath.Join(tmpDir, backupDB)
	if err := db.Snapshot(ctx, snapshot); err != nil {
		return nil, fmt.Errorf("backup: copy database: %w", err)
	}
	type blobRef struct {
		key, contentType string
	}
	var refs []blobRef
	if err := func() error {
		snap, err := sqlite.Open(ctx, snapshot)
		if err != nil {
			return err
		}
		defer snap.Close()
		rows, err := snap.Reader.QueryContext(ctx, `SELECT blob_key, content_type FROM accessories ORDER BY blob_key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r blobRef
			if err := rows.Scan(&r.key, &r.contentType); err != nil {
				return err
			}
			refs = append(refs, r)
		}
		return rows.Err()
	}(); err != nil {
		return nil, fmt.Errorf("backup: list attachments: %w", err)
	}

	out, err := os.OpenFile(file+".partial", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		out.Close()
		if err != nil {
			os.Remove(file + ".partial")
		}
	}()
	zw := gzip.NewWriter(out)
	tw := tar.NewWriter(zw)

	m := &manifest{Format: backupFormat, CreatedAt: time.Now().UTC(), Version: buildInfo().Version, ContentTypes: map[string]string{}}
	var blobsBody []func() error
	for _, r := range refs {
		rc, err := blobs.Get(ctx, r.key)
		if casebook.ErrorCode(err) == casebook.ENOTFOUND {
			// Deleted after the snapshot was taken.
			m.Missing = append(m.Missing, r.key)
			continue
		} else if err != nil {
			return nil, fmt.Errorf("backup: read attachment %s: %w", r.key, err)
		}
		m.ContentTypes[r.key] = r.contentType
		blobsBody = append(blobsBody, func() error {
			defer rc.Close()
			return addTarStream(tw, backupBlobs+r.key, rc)
		})
	}
	m.Attachments = len(blobsBody)

	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := addTarBytes(tw, backupManifest, mj); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := addTarFile(tw, backupDB, snapshot); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	for _, write := range blobsBody {
		if err := write(); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(file+".partial", file); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

func addTarBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addTarFile(tw *tar.Writer, name, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// addTarStream adds an attachment. Its size is not known before reading
// (the blob store streams), so it is spooled to memory or a temporary file
// first; attachments are small (--attachment-max-mb).
func addTarStream(tw *tar.Writer, name string, r io.Reader) error {
	tmp, err := os.CreateTemp("", "casebook-blob-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, r)
	if err != nil {
		return fmt.Errorf("read attachment %s: %w", name, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: n, ModTime: time.Now()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, tmp)
	return err
}

// RestoreCommand brings a backup back into an empty data directory:
// `casebook restore FILE`.
type RestoreCommand struct {
	Main *Main
}

const restoreHelp = `Restores a file written by "casebook backup" into an empty data directory
(--data; with --db sqlite:PATH and --blobs DIR, a database file that does
not exist and an empty attachment directory): the database and every
attachment. It refuses a directory that holds anything.

Put the master key back before serving (DATA/master.key or
CASEBOOK_MASTER_KEY): started without it, the server would create a new
key, and the restored credentials and secret keys would not open.`

// Run parses the flags and restores the backup.
func (c *RestoreCommand) Run(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("restore", "[flags] FILE", restoreHelp, storeFlags)
	file, cfg, dbPath, err := c.Main.parseSQLiteFile(fs, args,
		"restore writes an SQLite database; restore PostgreSQL with pg_restore (docs/operations.md)")
	if err != nil {
		return err
	}
	blobDir := cfg.blobDir()
	if blobDir == "" {
		return errors.New("restore writes attachments to a directory; copy them to S3 with mc mirror (docs/operations.md)")
	}
	for _, dir := range []string{cfg.Data, blobDir} {
		if err := mustBeEmpty(dir); err != nil {
			return err
		}
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: %s exists; restore only into an empty data directory", dbPath)
	}
	m, err := restoreBackup(ctx, file, dbPath, blobDir)
	if err != nil {
		return err
	}
	return c.Main.print(fs.JSON, m, func(w io.Writer) {
		fmt.Fprintf(w, "restored\t%s\nfrom\t%s (taken %s)\nattachments\t%d\n", dbPath, file, m.CreatedAt.Format(time.RFC3339), m.Attachments)
		fmt.Fprintln(w, "Put the master key back (DATA/master.key or CASEBOOK_MASTER_KEY) before you serve.")
	})
}

// mustBeEmpty refuses a directory that exists and holds anything.
func mustBeEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("restore: %s is not empty (it holds %s); restore only into an empty data directory", dir, entries[0].Name())
	}
	return nil
}

// restoreBackup unpacks file: the database to dbPath (through a temporary
// name, opened once to check it and apply newer migrations), attachments
// into blobDir.
func restoreBackup(ctx context.Context, file, dbPath, blobDir string) (*manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("restore: %s is not a Casebook backup: %w", file, err)
	}
	tr := tar.NewReader(zr)

	hdr, err := tr.Next()
	if err != nil || hdr.Name != backupManifest {
		return nil, fmt.Errorf("restore: %s is not a Casebook backup (no manifest first)", file)
	}
	var m manifest
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("restore: read manifest: %w", err)
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("restore: backup format %d is not supported (this binary reads %d)", m.Format, backupFormat)
	}

	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	blobs, err := openBlobDir(blobDir)
	if err != nil {
		return nil, err
	}
	gotDB, restored := false, 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("restore: read %s: %w", file, err)
		}
		switch name := path.Clean(hdr.Name); {
		case name == backupDB:
			tmp := dbPath + ".restoring"
			if err := writeFile(tmp, tr); err != nil {
				return nil, fmt.Errorf("restore: database: %w", err)
			}
			if err := os.Rename(tmp, dbPath); err != nil {
				return nil, fmt.Errorf("restore: %w", err)
			}
			gotDB = true
		case strings.HasPrefix(name, backupBlobs) && !strings.Contains(name, ".."):
			key := strings.TrimPrefix(name, backupBlobs)
			if err := blobs.Put(ctx, key, tr, hdr.Size, m.ContentTypes[key]); err != nil {
				return nil, fmt.Errorf("restore: attachment %s: %w", key, err)
			}
			restored++
		default:
			return nil, fmt.Errorf("restore: unexpected entry %q in %s", hdr.Name, file)
		}
	}
	if !gotDB {
		return nil, fmt.Errorf("restore: %s holds no database", file)
	}
	if restored != m.Attachments {
		return nil, fmt.Errorf("restore: %s holds %d attachments, its manifest says %d", file, restored, m.Attachments)
	}
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return nil, fmt.Errorf("restore: open the restored database: %w", err)
	}
	return &m, db.Close()
}

func writeFile(name string, r io.Reader) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// openBlobDir opens the attachment directory a restore writes to.
func openBlobDir(dir string) (casebook.BlobStore, error) {
	store, err := blobfs.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("restore: open attachment directory: %w", err)
	}
	return store, nil
}
