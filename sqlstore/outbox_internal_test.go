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
	})
}

func TestEncodeEventDataEmpty(t *testing.T) {
	if got := encodeEventData(nil); got != "{}" {
		t.Fatalf("nil: %q", got)
	}
	if got, want := encodeEventData(map[string]string{"b": "2", "a": "1"}), `{"a":"1","b":"2"}`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
