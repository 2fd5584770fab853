package http

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonAppenders are the response bodies that write their own JSON, each as
// a pointer to a zero value.
var jsonAppenders = []jsonAppender{&authorizationDetail{}, &authorizationDetailItem{}}

// encodeStd is what writeJSON's encoder writes for v, without the newline.
func encodeStd(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// trickyStrings covers every branch of encoding/json's string encoder.
var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "\b\f\n\r\t", "\x00\x01\x1f\x7f",
	"<html> & 'single'", "é中文🙂", "line\u2028para\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80",
	"end with escape\n", "\u2028", "\xff",
}

// randomString draws from trickyStrings' pieces, so that escapes land at
// the start, middle and end of strings.
func randomString(r *rand.Rand) string {
	var sb strings.Builder
	for n := r.IntN(4); n > 0; n-- {
		sb.WriteString(trickyStrings[r.IntN(len(trickyStrings))])
		if r.IntN(2) == 0 {
			sb.WriteByte(byte(r.IntN(256)))
		}
	}
	return sb.String()
}

// fillRandom sets every field of the struct v points to, through
// reflection, so that a field added to a body and left out of its
// appendJSON fails the test.
func fillRandom(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(r, v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillRandom(r, v.Field(i))
		}
	case reflect.String:
		v.SetString(randomString(r))
	case reflect.Int, reflect.Int64, reflect.Int32:
		vals := []int64{0, -1, 1, 65535, r.Int64(), -r.Int64(), 1<<31 - 1, -1 << 63}
		n := vals[r.IntN(len(vals))]
		if v.OverflowInt(n) {
			n = int64(r.Int32())
		}
		v.SetInt(n)
	case reflect.Slice:
		if r.IntN(4) == 0 {
			v.SetZero() // null
			return
		}
		s := reflect.MakeSlice(v.Type(), r.IntN(4), 4)
		for i := 0; i < s.Len(); i++ {
			fillRandom(r, s.Index(i))
		}
		v.Set(s)
	default:
		panic("fillRandom: no case for " + v.Kind().String())
	}
}

func TestAppendJSONMatchesEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, zero := range jsonAppenders {
		typ := reflect.TypeOf(zero).Elem()
		t.Run(typ.Name(), func(t *testing.T) {
			for i := 0; i < 2000; i++ {
				v := reflect.New(typ)
				if i > 0 { // the first is the zero value
					fillRandom(r, v.Elem())
				}
				got := v.Interface().(jsonAppender).appendJSON(nil)
				if want := encodeStd(t, v.Interface()); !bytes.Equal(got, want) {
					t.Fatalf("appendJSON of %#v:\n got %s\nwant %s", v.Elem().Interface(), got, want)
				}
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range trickyStrings {
		got := appendJSONString([]byte("x"), s)
		want := append([]byte("x"), encodeStd(t, s)...)
		if !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		if want := encodeStd(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		if !utf8.Valid(got) {
			t.Fatalf("appendJSONString(%q) is not valid UTF-8: %q", s, got)
		}
	})
}

// writeJSON must send an appender's bytes as the encoder would, newline
// and Content-Length included.
func TestWriteJSONAppender(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var d authorizationDetail
	fillRandom(r, reflect.ValueOf(&d).Elem())
	rec := httptest.NewRecorder()
	if err := writeJSON(rec, 200, &d); err != nil {
		t.Fatal(err)
	}
	want := append(encodeStd(t, d), '\n')
	if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("body:\n got %s\nwant %s", got, want)
	}
	if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(want)) {
		t.Errorf("Content-Length %s, want %d", got, len(want))
	}
}
