package main_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebook/casebook/blob/s3/s3test"
	"github.com/casebook/casebook/internal/pgtest"
)

// TestMain stops the MinIO server the S3 tests may have started.
func TestMain(m *testing.M) { s3test.Main(m) }

// postgresDatabase returns the DSN of a new, empty database dropped at the
// end of the test (pgtest.Database).
func postgresDatabase(t *testing.T) string {
	t.Helper()
	return pgtest.Database(t, "casebook_cmd_")
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
