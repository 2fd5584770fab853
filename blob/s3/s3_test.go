package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob/blobtest"
	"github.com/casebook/casebook/blob/s3"
	"github.com/casebook/casebook/blob/s3/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// TestStore runs the conformance suite on a real MinIO server, one bucket
// per subtest, and checks after each that no multipart upload was left
// incomplete: minio-go must abort the ones that fail.
func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) casebook.BlobStore {
		st := s3test.Open(t)
		t.Cleanup(func() { assertNoIncompleteUploads(t, st) })
		return st
	})
}

func assertNoIncompleteUploads(t *testing.T, st *s3.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for u := range st.Client().ListIncompleteUploads(ctx, st.Bucket(), "", true) {
		if u.Err != nil {
			t.Errorf("list incomplete uploads: %v", u.Err)
			return
		}
		t.Errorf("incomplete multipart upload left behind: %s (id %s, %d bytes)", u.Key, u.UploadID, u.Size)
	}
}

func TestPrefix(t *testing.T) {
	ctx := context.Background()
	cfg := s3test.Config(t)
	cfg.Prefix = "deploy-a" // "/" added by Open
	a, err := s3.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Prefix = "deploy-b/"
	cfg.CreateBucket = false // the bucket exists now
	b, err := s3.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "AC1", strings.NewReader("from a"), 6, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "AC1"); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Fatalf("store b sees store a's key: Get error = %v", err)
	}
	info, err := a.Client().StatObject(ctx, cfg.Bucket, "deploy-a/AC1", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("object not stored under the prefix: %v", err)
	}
	if info.Size != 6 || info.ContentType != "text/plain" {
		t.Fatalf("object size %d, content type %q; want 6, text/plain", info.Size, info.ContentType)
	}
	if got := a.ObjectName("AC1"); got != "deploy-a/AC1" {
		t.Fatalf("ObjectName = %q", got)
	}
}

func TestOpenMissingBucket(t *testing.T) {
	cfg := s3test.Config(t)
	cfg.CreateBucket = false
	if _, err := s3.Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Open of a missing bucket without CreateBucket: error = %v", err)
	}
}

func TestOpenWrongCredentials(t *testing.T) {
	cfg := s3test.Config(t)
	cfg.SecretKey = "wrong-secret-" + cfg.SecretKey
	_, err := s3.Open(context.Background(), cfg)
	if err == nil {
		t.Fatal("Open with a wrong secret key succeeded")
	}
	if strings.Contains(err.Error(), cfg.SecretKey) {
		t.Fatalf("error reveals the secret key: %v", err)
	}
}

// TestOpenAgain checks that CreateBucket on an existing bucket is fine.
func TestOpenAgain(t *testing.T) {
	cfg := s3test.Config(t)
	for range 2 {
		if _, err := s3.Open(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSizeMismatchIsInvalid(t *testing.T) {
	st := s3test.Open(t)
	ctx := context.Background()
	err := st.Put(ctx, "k", strings.NewReader("1234567890"), 5, "text/plain")
	if casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("Put of 10 bytes declared as 5: error = %v, want EINVALID", err)
	}
	err = st.Put(ctx, "k", strings.NewReader("12345"), 10, "text/plain")
	if casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("Put of 5 bytes declared as 10: error = %v, want EINVALID", err)
	}
}

func TestParseURL(t *testing.T) {
	for _, v := range []string{"CASEBOOK_S3_ACCESS_KEY", "CASEBOOK_S3_SECRET_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "aws-ak")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-sk")

	for _, tt := range []struct {
		url  string
		want s3.Config
	}{
		{
			"s3://bucket/prefix?endpoint=127.0.0.1:9000&region=us-east-1&insecure=true",
			s3.Config{Endpoint: "127.0.0.1:9000", Bucket: "bucket", Region: "us-east-1", Prefix: "prefix",
				AccessKey: "aws-ak", SecretKey: "aws-sk", UseSSL: false},
		},
		{
			"s3://attachments",
			s3.Config{Endpoint: "s3.amazonaws.com", Bucket: "attachments", AccessKey: "aws-ak", SecretKey: "aws-sk", UseSSL: true},
		},
		{
			"s3://b/a/b/?endpoint=minio.internal&insecure=false&create=1",
			s3.Config{Endpoint: "minio.internal", Bucket: "b", Prefix: "a/b/", AccessKey: "aws-ak", SecretKey: "aws-sk",
				UseSSL: true, CreateBucket: true},
		},
	} {
		got, err := s3.ParseURL(tt.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.url, err)
		} else if got != tt.want {
			t.Errorf("ParseURL(%q) =\n%#v, want\n%#v", tt.url, got, tt.want)
		}
	}

	// The Casebook pair wins over the AWS one.
	t.Setenv("CASEBOOK_S3_ACCESS_KEY", "cb-ak")
	t.Setenv("CASEBOOK_S3_SECRET_KEY", "cb-sk")
	if got, err := s3.ParseURL("s3://b"); err != nil || got.AccessKey != "cb-ak" || got.SecretKey != "cb-sk" {
		t.Errorf("with CASEBOOK_S3_* set: credentials %q/%q, error %v; want cb-ak/cb-sk", got.AccessKey, got.SecretKey, err)
	}

	for _, bad := range []string{
		"http://bucket/prefix",
		"s3:///prefix",
		"s3://ak:sk@bucket",
		"s3://bucket?endpont=x",
		"s3://bucket?insecure=maybe",
		"s3://bucket?endpoint=",
		"s3://bucket?region=a&region=b",
	} {
		if _, err := s3.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "sk@") {
			t.Errorf("ParseURL(%q) error reveals the credentials: %v", bad, err)
		}
	}
}

func TestConfigStringHidesSecret(t *testing.T) {
	cfg := s3.Config{Endpoint: "127.0.0.1:9000", Bucket: "b", AccessKey: "ak", SecretKey: "very-secret"}
	for _, s := range []string{cfg.String(), strings.TrimSpace(strings.Join([]string{cfg.String()}, ""))} {
		if strings.Contains(s, "very-secret") {
			t.Fatalf("Config.String reveals the secret: %s", s)
		}
	}
}
