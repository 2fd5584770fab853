package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/casebook/casebook"
)

// maxJSONBody bounds JSON request bodies (the largest documented body is a
// confirmation with six 10240-character passwords).
const maxJSONBody = 1 << 20

// writeJSON writes v with the status. Responses are never HTML-escaped, like
// the SDK's own encoder. The body is encoded into a pooled buffer first, so
// that an encoding error can still be answered and Content-Length set.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	jb := jsonBuffers.Get().(*jsonBuffer)
	if a, ok := v.(jsonAppender); ok {
		// As Encode ends a value: with a newline.
		jb.buf.Write(append(a.appendJSON(jb.buf.AvailableBuffer()), '\n'))
	} else if err := jb.enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err) // jb not reused: its state is unknown
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h.Set("Content-Length", strconv.Itoa(jb.buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(jb.buf.Bytes()) // copied or sent before Write returns
	if jb.buf.Cap() <= maxPooledJSONBuffer {
		jb.buf.Reset()
		jsonBuffers.Put(jb)
	}
	return err
}

// contentTypeJSON is the Content-Type of every JSON response, one shared
// header value (net/http only reads it; Add would copy it).
var contentTypeJSON = []string{"application/json;charset=UTF-8"}

// jsonBuffer is a response buffer with its encoder.
type jsonBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonBuffers = sync.Pool{New: func() any {
	jb := new(jsonBuffer)
	jb.enc = json.NewEncoder(&jb.buf)
	jb.enc.SetEscapeHTML(false)
	return jb
}}

// maxPooledJSONBuffer: a buffer grown past it (a large export or list) is
// left to the garbage collector rather than kept in the pool.
const maxPooledJSONBuffer = 64 << 10

// sdkTimeLayout is how every response time is written: UTC with
// milliseconds and a Z, as in the doc examples and what the SDK's SdkTime
// decodes without surprises (it would keep the wall clock of a +08:00
// offset as UTC).
const sdkTimeLayout = "2006-01-02T15:04:05.000Z"

// formatTime returns t as an SDK time string.
func formatTime(t time.Time) string { return t.UTC().Format(sdkTimeLayout) }

// formatTimePtr returns nil for a nil time, so the field is JSON null.
func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// decodeJSON decodes the request body into v. An empty body leaves v as
// is (the SDK sends PUTs without a body as Content-Length: 0). Unknown
// fields are ignored; wrong types name the field.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return malformed("Cannot read the request body.")
	}
	if len(body) > maxJSONBody {
		return malformed("The request body is larger than %d bytes.", maxJSONBody)
	}
	if len(bytes.TrimSpace(body)) == 0 || string(bytes.TrimSpace(body)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return casebook.Invalidf(field, "%s must be of type %s, not %s.", field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return malformed("The request body is not valid JSON.")
	}
	if dec.More() {
		return malformed("The request body holds more than one JSON value.")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "integer"
	case kind == "slice" || kind == "array":
		return "array"
	case kind == "struct" || kind == "map":
		return "object"
	}
	return kind
}

var reflectSliceOfString = reflect.TypeOf([]string(nil))

// stringList accepts a JSON array of strings or, as in the CreateRelations
// doc example, a single string where an array is declared.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string item", Type: reflectSliceOfString}
	}
	*l = many
	return nil
}

// checkLength validates a string's length in characters (runes), the unit
// of the documented limits, with the domain's message.
func checkLength(field, v string, min, max int) error {
	return casebook.CheckLength(field, v, min, max)
}
