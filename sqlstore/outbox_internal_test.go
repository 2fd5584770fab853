package sqlstore

import (
	"encoding/json"
	"maps"
	"testing"
)

// FuzzEncodeEventData: the hand-written encoding of an event's data
// decodes to what json.Marshal's does, for any keys and values.
func FuzzEncodeEventData(f *testing.F) {
	f.Add("to_status", "2", "file_name", `a "quoted" \ name`)
	f.Add("k", "line\nbreak\ttab\x00\x1f\x7f", "日本", "<b>&amp;</b>\u2028")
	f.Add("bad", "\xff\xfe", "", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		data := map[string]string{k1: v1, k2: v2}
		want, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		var got, expected map[string]string
		enc := encodeEventData(data)
		if err := json.Unmarshal([]byte(enc), &got); err != nil {
			t.Fatalf("%q does not decode: %v", enc, err)
		}
		if err := json.Unmarshal(want, &expected); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, expected) {
			t.Fatalf("encodeEventData(%q) = %q, decodes to %q; json.Marshal gives %q", data, enc, got, expected)
		}
		// What the dispatcher reads back: the same, from both encodings.
		for _, s := range []string{enc, string(want)} {
			if back, err := decodeEventData(s); err != nil || !maps.Equal(back, expected) {
				t.Fatalf("decodeEventData(%q) = %q, %v; want %q", s, back, err, expected)
			}
		}
	})
}

// TestDecodeEventData: whitespace and escapes as JSON allows; an empty
// object is nil; anything but an object of strings is an error, as
// encoding/json's would be.
func TestDecodeEventData(t *testing.T) {
	for s, want := range map[string]map[string]string{
		`{}`:                              nil,
		` { } `:                           nil,
		`{"a":"1"}`:                       {"a": "1"},
		"{ \"a\" :\t\"1\" ,\n\"b\":\"\"}": {"a": "1", "b": ""},
		`{"k\u00e9y":"v\"\n\u2028"}`:      {"kéy": "v\"\n\u2028"},
		`{"a":"1","a":"2"}`:               {"a": "2"},
	} {
		got, err := decodeEventData(s)
		if err != nil || !maps.Equal(got, want) || (want == nil) != (got == nil) {
			t.Errorf("decodeEventData(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
	for _, s := range []string{``, `[]`, `{`, `{"a"}`, `{"a":1}`, `{"a":"1",}`, `{"a":"1"} x`,
		`{"a":"1" "b":"2"}`, `{a:"1"}`, "{\"a\":\"\x01\"}", `{"a":"1`} {
		if got, err := decodeEventData(s); err == nil {
			t.Errorf("decodeEventData(%q) = %q, want an error", s, got)
		}
		var v map[string]string
		if json.Unmarshal([]byte(s), &v) == nil {
			t.Errorf("%q: encoding/json accepts it, so this case does not belong here", s)
		}
	}
}

func TestEncodeEventDataEmpty(t *testing.T) {
	if got := encodeEventData(nil); got != "{}" {
		t.Fatalf("nil: %q", got)
	}
	if got, want := encodeEventData(map[string]string{"b": "2", "a": "1"}), `{"a":"1","b":"2"}`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// BenchmarkDecodeEventData: a confirmation's event data, by hand and by
// encoding/json.
func BenchmarkDecodeEventData(b *testing.B) {
	s := encodeEventData(map[string]string{"engineer_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		"effective_at": "2026-12-07T18:00:00Z", "expire_at": "2026-12-08T18:00:00Z"})
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeEventData(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var m map[string]string
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
