// Package s3 stores attachment contents in a bucket of any S3-compatible
// server (AWS S3, MinIO, Ceph RGW, ...), through minio-go.
//
// A store is configured with a Config or from a URL (ParseURL):
//
//	s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=REGION&insecure=true&create=true
//
// The parts of the URL:
//   - BUCKET is the bucket name; PREFIX, when given, is put before every key
//     (a "/" is added if missing), so several deployments can share a bucket.
//   - endpoint is the server's host[:port]; default s3.amazonaws.com.
//   - region is the bucket's region; empty lets the client discover it.
//   - insecure=true talks plain HTTP (a local MinIO); the default is HTTPS.
//   - create=true creates the bucket at Open if it does not exist.
//
// Credentials never go in the URL (URLs end up in logs and process lists):
// they come from the environment, CASEBOOK_S3_ACCESS_KEY and
// CASEBOOK_S3_SECRET_KEY if set, else AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY. Without either pair, requests are anonymous.
//
// Put streams: with an unknown size (-1) it sends a multipart upload in
// 16 MiB parts, holding one part in memory; with a known size it sends one
// streaming PUT. A failed Put leaves no object: a single PUT that does not
// complete is discarded by the server, and minio-go aborts a failed
// multipart upload (with a fresh context, so cancellation does not skip it).
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/blob"
)

// PartSize is the size of a multipart upload's parts, and so the memory one
// Put of unknown size holds. Parts count at most 10,000, so such an upload
// can reach 160 GiB.
const PartSize = 16 << 20

// maxSinglePut is the largest object AWS accepts in one PUT. Known sizes up
// to it are sent as one streaming request; larger ones as multipart.
const maxSinglePut = 5 << 30

// Config configures a Store.
type Config struct {
	Endpoint     string // host[:port], e.g. "s3.amazonaws.com" or "127.0.0.1:9000"
	Bucket       string
	Region       string // empty: discovered from the server
	AccessKey    string // empty with SecretKey: anonymous requests
	SecretKey    string
	UseSSL       bool
	Prefix       string // put before every key; "/" appended if missing
	CreateBucket bool   // create the bucket at Open if it is missing
}

// String describes the configuration without the secret key, so a Config
// can be logged.
func (c Config) String() string {
	scheme := "https"
	if !c.UseSSL {
		scheme = "http"
	}
	return fmt.Sprintf("s3 bucket %q prefix %q at %s://%s (region %q)", c.Bucket, c.Prefix, scheme, c.Endpoint, c.Region)
}

// ParseURL turns an s3:// URL (see the package comment) into a Config,
// taking the credentials from the environment.
func ParseURL(rawURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, which holds no secrets (see below).
		return Config{}, fmt.Errorf("parse s3 url: %w", err)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("parse s3 url: scheme is %q, want \"s3\"", u.Scheme)
	}
	if u.User != nil {
		return Config{}, errors.New("parse s3 url: credentials do not belong in the URL; set CASEBOOK_S3_ACCESS_KEY and CASEBOOK_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	cfg := Config{
		Bucket:   u.Host,
		Prefix:   strings.TrimPrefix(u.Path, "/"),
		Endpoint: "s3.amazonaws.com",
		UseSSL:   true,
	}
	if cfg.Bucket == "" {
		return Config{}, errors.New("parse s3 url: no bucket (want s3://BUCKET/PREFIX)")
	}
	for name, values := range u.Query() {
		if len(values) != 1 {
			return Config{}, fmt.Errorf("parse s3 url: parameter %q given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "endpoint":
			cfg.Endpoint = v
		case "region":
			cfg.Region = v
		case "insecure":
			insecure, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("parse s3 url: insecure=%q is not a boolean", v)
			}
			cfg.UseSSL = !insecure
		case "create":
			create, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("parse s3 url: create=%q is not a boolean", v)
			}
			cfg.CreateBucket = create
		default:
			return Config{}, fmt.Errorf("parse s3 url: unknown parameter %q (known: endpoint, region, insecure, create)", name)
		}
	}
	if cfg.Endpoint == "" {
		return Config{}, errors.New("parse s3 url: endpoint is empty")
	}
	cfg.AccessKey, cfg.SecretKey = credentialsFromEnv()
	return cfg, nil
}

// credentialsFromEnv returns the Casebook pair if either of it is set, else
// the AWS pair. Pairs are never mixed.
func credentialsFromEnv() (accessKey, secretKey string) {
	ak, sk := os.Getenv("CASEBOOK_S3_ACCESS_KEY"), os.Getenv("CASEBOOK_S3_SECRET_KEY")
	if ak != "" || sk != "" {
		return ak, sk
	}
	return os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
}

// Store is a casebook.BlobStore over one bucket.
type Store struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ casebook.BlobStore = (*Store)(nil)

// Open connects to the server and checks that the bucket exists, creating
// it when cfg.CreateBucket is set.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("open s3 store: no endpoint")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("open s3 store: no bucket")
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, errors.New("open s3 store: access key and secret key must be set together")
	}
	prefix := cfg.Prefix
	if prefix != "" {
		prefix = strings.TrimSuffix(prefix, "/")
		if err := blob.CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("open s3 store: prefix: %w", err)
		}
		prefix += "/"
	}

	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("open s3 store: %w", err)
	}

	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("open s3 store: check bucket %q: %w", cfg.Bucket, err)
	}
	if !exists {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("open s3 store: bucket %q does not exist", cfg.Bucket)
		}
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if code := minio.ToErrorResponse(err).Code; err != nil && code != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("open s3 store: create bucket %q: %w", cfg.Bucket, err)
		}
	}
	return &Store{client: client, bucket: cfg.Bucket, prefix: prefix}, nil
}

// Client returns the underlying minio-go client, for tests and tools.
func (s *Store) Client() *minio.Client { return s.client }

// Bucket returns the bucket name.
func (s *Store) Bucket() string { return s.bucket }

// ObjectName returns the name of key's object in the bucket.
func (s *Store) ObjectName(key string) string { return s.prefix + key }

// Put streams r to key's object. When size is not -1, r must hold exactly
// size bytes.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: contentType, PartSize: PartSize}
	body := r
	if size >= 0 {
		opts.DisableMultipart = size <= maxSinglePut
		// The wrapper also hides io.Seeker and io.ReaderAt, so minio-go
		// neither retries (it cannot rewind a stream) nor reads ahead.
		body = &exactReader{r: r, remaining: size, size: size}
	}
	if _, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, body, size, opts); err != nil {
		var sizeErr *casebook.Error
		if errors.As(err, &sizeErr) {
			return sizeErr
		}
		return fmt.Errorf("put object: %w", err)
	}
	return nil
}

// Get opens key's object. The GET is sent now, so a missing key is reported
// here as ENOTFOUND rather than on the first Read. The caller must close
// the reader; ctx must stay live while reading.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, casebook.NotFoundf("Blob %q not found.", key)
		}
		return nil, fmt.Errorf("get object: %w", err)
	}
	return body, nil
}

// Delete removes key's object; S3 reports success for a missing one.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete object: %w", err)
	}
	return nil
}

// exactReader passes through exactly size bytes of r and fails instead of
// handing over the last of them if r is longer or shorter, so a stream
// that does not match its declared size never completes an object.
type exactReader struct {
	r         io.Reader
	remaining int64
	size      int64
	ended     bool // r is known to end after size bytes
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.ended {
		return 0, io.EOF
	}
	if e.remaining == 0 {
		err := e.checkEnd()
		e.ended = err == io.EOF
		return 0, err
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.r.Read(p)
	e.remaining -= int64(n)
	if errors.Is(err, io.EOF) && e.remaining > 0 {
		return 0, casebook.Invalidf("size", "Upload ended after %d of the declared %d bytes.", e.size-e.remaining, e.size)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, err
	}
	if e.remaining == 0 {
		// Withhold the final bytes until r is known to end here.
		if err := e.checkEnd(); err != io.EOF {
			return 0, err
		}
		e.ended = true
		return n, io.EOF
	}
	return n, nil
}

// checkEnd reads one byte past the declared size: io.EOF if r ends there.
func (e *exactReader) checkEnd() error {
	var probe [1]byte
	for {
		n, err := e.r.Read(probe[:])
		if n > 0 {
			return casebook.Invalidf("size", "Upload is longer than the declared %d bytes.", e.size)
		}
		if errors.Is(err, io.EOF) {
			return io.EOF
		} else if err != nil {
			return err
		}
	}
}
