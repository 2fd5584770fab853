package main_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casebook/casebook/blob/s3/s3test"
)

// TestMain stops the MinIO server the S3 tests may have started.
func TestMain(m *testing.M) { s3test.Main(m) }

// defaultTestPostgres is tried when CASEBOOK_TEST_POSTGRES is unset.
const defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// postgresDatabase returns the DSN of a new, empty database dropped at the
// end of the test. It skips when PostgreSQL is unreachable and
// CASEBOOK_TEST_POSTGRES is unset, and fails when it is set.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	dsn, required := os.Getenv("CASEBOOK_TEST_POSTGRES"), true
	if dsn == "" {
		dsn, required = defaultTestPostgres, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if required {
			t.Fatalf("CASEBOOK_TEST_POSTGRES is set but PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set CASEBOOK_TEST_POSTGRES to require it): %v", defaultTestPostgres, err)
	}

	b := make([]byte, 6)
	rand.Read(b)
	name := "casebook_cmd_" + hex.EncodeToString(b)
	t.Cleanup(func() { admin.Close(context.Background()) })
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestServe_ReplicasOnPostgresAndS3 runs the second documented deployment:
// two replicas on one PostgreSQL database and one S3 bucket, sharing the
// master key through the environment. The demo is loaded with the admin
// command; a token from one replica works on the other, and a download
// link signed by one is served by the other from the bucket.
func TestServe_ReplicasOnPostgresAndS3(t *testing.T) {
	dsn := postgresDatabase(t)
	endpoint, accessKey, secretKey := s3test.StartMinIO(t)
	// The S3 store reads its credentials from the process environment.
	t.Setenv("CASEBOOK_S3_ACCESS_KEY", accessKey)
	t.Setenv("CASEBOOK_S3_SECRET_KEY", secretKey)

	key := make([]byte, 32)
	rand.Read(key)
	data := filepath.Join(t.TempDir(), "data")
	e := env{
		"CASEBOOK_DATA":       data,
		"CASEBOOK_DB":         dsn,
		"CASEBOOK_BLOBS":      fmt.Sprintf("s3://cmd-replicas/prod?endpoint=%s&insecure=true&create=true&region=us-east-1", endpoint),
		"CASEBOOK_MASTER_KEY": hex.EncodeToString(key),
		"CASEBOOK_BASE_URL":   "http://casebook.test",
	}

	mustRun(t, e, "migrate")
	var demo struct {
		Users []struct {
			Name     string `json:"name"`
			Password string `json:"password"`
		} `json:"users"`
		AccessoryID string `json:"accessory_id"`
	}
	mustRunJSON(t, e, &demo, "demo")
	password := ""
	for _, u := range demo.Users {
		if u.Name == "alice" {
			password = u.Password
		}
	}

	a := startServer(t, e, nil)
	b := startServer(t, e, nil)
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a replica on PostgreSQL and S3 with the key in the environment created %s: %v", data, err)
	}

	token := customerToken(t, a.URL, "demo", "alice", password)
	if got := listAuthorizations(t, b.URL, token, ""); got["count"] != float64(1) {
		t.Errorf("replica b, alice's authorizations: %v", got)
	}

	res, body := do(t, "GET", a.URL+"/v2/servicerequest/accessorys/access-urls?accessory_ids="+demo.AccessoryID, "", http.Header{"X-Auth-Token": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("access-urls: status %d: %s", res.StatusCode, body)
	}
	var urls struct {
		AccessoryURLs []struct {
			URL string `json:"accessory_url"`
		} `json:"accessory_urls"`
	}
	if err := json.Unmarshal([]byte(body), &urls); err != nil || len(urls.AccessoryURLs) != 1 {
		t.Fatalf("access-urls: %v: %s", err, body)
	}
	link := urls.AccessoryURLs[0].URL
	if !strings.HasPrefix(link, "http://casebook.test/") {
		t.Fatalf("link %s does not use the base URL", link)
	}
	res, content := do(t, "GET", b.URL+strings.TrimPrefix(link, "http://casebook.test"), "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(content, "upstream timed out") {
		t.Errorf("download through replica b: status %d: %.200s", res.StatusCode, content)
	}
}
