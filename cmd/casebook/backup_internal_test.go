package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// TestBackupRestore backs up a data directory while tickets and
// attachments are being written, restores it into an empty directory, and
// reads back every ticket and attachment the backup holds and a grant's
// credentials, with the same master key.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := strings.Repeat("ab", 32)
	cfg := DefaultConfig()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.MasterKey = key

	app, err := OpenApp(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	svc := app.Service
	svc.Config.PasswordIterations = 1000
	_, user, err := svc.CreateAccount(ctx, "acme", "admin", "Secret-pass-123")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := svc.CreateEngineer(ctx, "eng", "Secret-pass-123")
	if err != nil {
		t.Fatal(err)
	}
	customer, _, err := svc.ResolvePrincipal(ctx, casebook.RealmCustomer, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	engineer, _, err := svc.ResolvePrincipal(ctx, casebook.RealmEngineer, eng.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A grant in force, with a credential.
	c, err := svc.CreateCase(ctx, customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "grant"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.RequestAuthorization(ctx, engineer, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", Describe: "ssh",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web-01", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Now(), time.Now().Add(time.Hour)
	if err := svc.ConfirmAuthorization(ctx, customer, "", a.ID, casebook.ConfirmInput{
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "host-secret-42"}},
		EffectiveAt: &start, ExpireAt: &end,
	}); err != nil {
		t.Fatal(err)
	}

	// Write load: tickets, each with an attachment, until the backup ends.
	type written struct{ caseID, accessoryID, content string }
	var mu sync.Mutex
	var all []written
	stop := make(chan struct{})
	loadDone := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				loadDone <- nil
				return
			default:
			}
			content := fmt.Sprintf("log line %d\n%s", i, strings.Repeat("x", i%512))
			acc, err := svc.UploadAccessory(ctx, customer, casebook.UploadInput{FileName: fmt.Sprintf("f%d.txt", i), From: "incident", Size: int64(len(content))}, strings.NewReader(content))
			if err != nil {
				loadDone <- err
				return
			}
			c, err := svc.CreateCase(ctx, customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: fmt.Sprintf("load %d", i), AccessoryIDs: []string{acc.ID}})
			if err != nil {
				loadDone <- err
				return
			}
			mu.Lock()
			all = append(all, written{c.ID, acc.ID, content})
			mu.Unlock()
		}
	}()
	// Let some writes land first.
	for n := 0; n < 20; {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		n = len(all)
		mu.Unlock()
	}

	file := filepath.Join(t.TempDir(), "casebook-backup.tar.gz")
	m, stdout, stderr := &Main{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}, "", ""
	err = m.Run(ctx, []string{"backup", "--data", cfg.Data, "--master-key", key, file})
	close(stop)
	if lerr := <-loadDone; lerr != nil {
		t.Fatalf("write load: %v", lerr)
	}
	stdout, stderr = m.Stdout.(*bytes.Buffer).String(), m.Stderr.(*bytes.Buffer).String()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr)
	}
	if strings.Contains(stdout, key) || strings.Contains(stderr, key) {
		t.Error("backup printed the master key")
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	// The backup holds no master key.
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(key)) {
		t.Error("the backup file holds the master key")
	}

	// Restore refuses a directory that holds anything.
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep"), []byte("x"), 0o600)
	m = &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	if err := m.Run(ctx, []string{"restore", "--data", full, file}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a non-empty directory: %v", err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if err := m.Run(ctx, []string{"restore", "--data", restored, file}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := os.Stat(filepath.Join(restored, MasterKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("restore wrote a master key file: %v", err)
	}

	cfg2 := cfg
	cfg2.Data = restored
	app2, err := OpenApp(ctx, cfg2, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer app2.Close()
	svc2 := app2.Service
	customer2, _, err := svc2.ResolvePrincipal(ctx, casebook.RealmCustomer, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	engineer2, _, err := svc2.ResolvePrincipal(ctx, casebook.RealmEngineer, eng.ID)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc2.ReadCredentials(ctx, engineer2, a.ID)
	if err != nil {
		t.Fatalf("read the grant's credentials after restore: %v", err)
	}
	if len(creds) != 1 || creds[0].Password != "host-secret-42" {
		t.Errorf("credentials after restore: %+v", creds)
	}

	// Every ticket the backup holds has its attachment, byte for byte;
	// the tickets written before the backup started are all there.
	var inBackup int
	for i, w := range all {
		c, err := svc2.GetCase(ctx, customer2, "", w.caseID)
		if casebook.ErrorCode(err) == casebook.ENOTFOUND {
			if i < 20 {
				t.Errorf("ticket %d, written before the backup, is missing", i)
			}
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		inBackup++
		_ = c
		accs, err := svc2.OpenAccessories(ctx, customer2, "", []string{w.accessoryID})
		if err != nil || len(accs) != 1 {
			t.Fatalf("ticket %d: attachment: %v (%d)", i, err, len(accs))
		}
		rc, err := svc2.OpenBlob(ctx, accs[0])
		if err != nil {
			t.Fatalf("ticket %d: open attachment: %v", i, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != w.content {
			t.Errorf("ticket %d: attachment holds %q, want %q", i, got, w.content)
		}
	}
	t.Logf("%d tickets written during the test, %d in the backup", len(all), inBackup)
	if inBackup < 20 {
		t.Errorf("only %d tickets in the backup", inBackup)
	}
}
