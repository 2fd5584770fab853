package http

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/casebook/casebook"
)

// decode fills the request struct dst points to from r, as its field tags
// say, and checks the documented limits the tags name:
//
//	path:"case_id"             a path value; ",notfound": out of bounds answers
//	                           like an id that does not exist (pathNotFound)
//	query:"limit"              a query parameter; ",comma": every value of a
//	                           list split at commas; ",words": split at spaces
//	header:"X-Phone-Verifiedid" a header (trimmed; absent and empty are "")
//	body:"json"                the JSON body, into this field (decodeJSON);
//	                           its fields' tags below are checked too
//	min:"1" max:"MaxPageLimit" characters of a string, each item of a list,
//	                           or the range of an integer; a name is one of
//	                           the domain's constants (limitConstants)
//	items:"MaxSearchKeys"      the most items a list may hold
//	default:"DefaultPageLimit" an integer's value when absent or empty
//	required:"true"            a body pointer that must be present
//	unit:"epoch milliseconds"  what an integer counts, for its message
//
// Query forms accepted, as the SDK and the docs send them: repeated keys and
// comma-joined lists, bare keys (?group_id) for empty values, integers with
// surrounding spaces. Field types: string, int, *int, []string, []int and
// types with a decodeText method (their own text form); in bodies any
// encoding/json type. Untagged embedded structs (caseRequest, supportPage)
// share fields between requests. Specs are built once per type, on first
// use; TestDecodeSpecs builds every request type's.
func decode(r *http.Request, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	spec := specFor(v.Type())
	var query url.Values // parsed only when the request has one
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	for _, f := range spec.fields {
		if err := f.decode(r, query, v.FieldByIndex(f.path)); err != nil {
			return err
		}
	}
	return nil
}

// textDecoder is a field type with its own text form, such as a status
// list; it receives the first value of its parameter.
type textDecoder interface {
	decodeText(v string) error
}

// pathNotFound gives, per path parameter, the answer for an id too long or
// empty to name anything: the same as for an id that does not exist.
var pathNotFound = map[string]func(id string) error{
	"case_id":          func(string) error { return errCaseNotFound() },
	"authorization_id": func(string) error { return errAuthorizationNotFound() },
	"accessory_id":     func(id string) error { return accessoryNotFound(id) },
	"label_id":         func(id string) error { return labelNotFound(id) },
}

// limitConstants names the domain's limits for the tags.
var limitConstants = map[string]int64{
	"MaxCaseIDLength":          casebook.MaxCaseIDLength,
	"MaxGroupIDLength":         casebook.MaxGroupIDLength,
	"MaxAuthorizationIDLength": casebook.MaxAuthorizationIDLength,
	"MaxAccessoryIDLength":     casebook.MaxAccessoryIDLength,
	"MaxListOffset":            casebook.MaxListOffset,
	"MaxPageLimit":             casebook.MaxPageLimit,
	"DefaultPageLimit":         casebook.DefaultPageLimit,
	"DefaultAuditLimit":        casebook.DefaultAuditLimit,
	"MaxCaseStatus":            casebook.MaxCaseStatus,
	"MaxStatusFilters":         casebook.MaxStatusFilters,
	"MaxAuthStatus":            casebook.MaxAuthStatus,
	"MaxSearchKeys":            casebook.MaxSearchKeys,
	"MaxSearchKeyLength":       casebook.MaxSearchKeyLength,
	"MaxLabelIDs":              casebook.MaxLabelIDs,
	"MaxQueryTimeLength":       casebook.MaxQueryTimeLength,
	"MaxStatusListLen":         casebook.MaxStatusListLen,
	"MaxFilterLength":          casebook.MaxFilterLength,
	"MaxUserNameFilter":        casebook.MaxUserNameFilter,
	"MaxDescriptionLength":     casebook.MaxDescriptionLength,
	"MaxVerifiedIDLength":      casebook.MaxVerifiedIDLength,
	"MaxVerifyCodeLength":      casebook.MaxVerifyCodeLength,
	"MaxAuthContentLength":     casebook.MaxAuthContentLength,
	"MaxSatisfactions":         casebook.MaxSatisfactions,
	"MaxSatisfactionID":        casebook.MaxSatisfactionID,
	"MaxSatisfactionValue":     casebook.MaxSatisfactionValue,
	"MaxSatisfactionNameLen":   casebook.MaxSatisfactionNameLen,
	"MaxSatCategoryNameLen":    casebook.MaxSatCategoryNameLen,
	"MaxPort":                  casebook.MaxPort,
	"AuthStatusPending":        casebook.AuthStatusPending,
	"AuthStatusCancelled":      casebook.AuthStatusCancelled,
	"MaxInt64":                 math.MaxInt64,

	// Labels, ListOrderIncident and DownloadCases (issue 9).
	"MaxLabelID":                 casebook.MaxLabelID,
	"MaxLabelIDLength":           10, // digits of the largest int32 id
	"MaxLabelListOffset":         casebook.MaxLabelListOffset,
	"MaxLabelNameLength":         casebook.MaxLabelNameLength,
	"MaxLabelsPerCase":           casebook.MaxLabelsPerCase,
	"MaxOrderPageNo":             casebook.MaxOrderPageNo,
	"MaxExportLanguageLen":       casebook.MaxExportLanguageLen,
	"MaxExportTimezoneLen":       casebook.MaxExportTimezoneLen,
	"MaxExportSearchKey":         casebook.MaxExportSearchKey,
	"MaxExportStatus":            casebook.MaxExportStatus,
	"MaxExportSourceIDs":         casebook.MaxExportSourceIDs,
	"MaxExportRows":              casebook.MaxExportRows,
	"MaxSourceIDLength":          casebook.MaxSourceIDLength,
	"MaxProductCategoryIDLength": casebook.MaxProductCategoryIDLength,
	"MaxBusinessTypeIDLength":    casebook.MaxBusinessTypeIDLength,
}

// requestSpec is how one request type is decoded.
type requestSpec struct{ fields []*fieldSpec }

// fieldSpec is one tagged field: where it comes from, its options and its
// bounds; for a body, the checks of its fields.
type fieldSpec struct {
	path     []int  // of a request field, with embedded structs
	index    int    // of a field inside a body
	source   string // "path", "query", "header", "body" or "" (a field inside a body)
	name     string
	comma    bool
	words    bool
	notFound bool
	required bool
	unit     string
	min, max *int64
	items    *int64
	def      int64
	nested   []*fieldSpec // checks of a body's (or a body item's) fields
	text     bool         // the field's type is a textDecoder
	kind     queryKind    // of a query field that is not a textDecoder
}

// queryKind is the Go type of a query field, found once per request type
// so that decoding a request boxes no value to look at its type.
type queryKind int

const (
	queryString queryKind = iota
	queryInt
	queryIntPtr
	queryStrings
	queryInts
)

var (
	textDecoderType = reflect.TypeFor[textDecoder]()
	queryKinds      = map[reflect.Type]queryKind{
		reflect.TypeFor[string]():   queryString,
		reflect.TypeFor[int]():      queryInt,
		reflect.TypeFor[*int]():     queryIntPtr,
		reflect.TypeFor[[]string](): queryStrings,
		reflect.TypeFor[[]int]():    queryInts,
	}
)

var specs sync.Map // reflect.Type -> *requestSpec

func specFor(t reflect.Type) *requestSpec {
	if s, ok := specs.Load(t); ok {
		return s.(*requestSpec)
	}
	s := &requestSpec{fields: requestFields(t, nil)}
	actual, _ := specs.LoadOrStore(t, s)
	return actual.(*requestSpec)
}

// requestFields returns the tagged fields of t; untagged embedded structs
// (a common part of several requests) are walked into.
func requestFields(t reflect.Type, prefix []int) []*fieldSpec {
	var fields []*fieldSpec
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		path := append(append([]int(nil), prefix...), i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag == "" {
			fields = append(fields, requestFields(sf.Type, path)...)
			continue
		}
		for _, source := range []string{"path", "query", "header", "body"} {
			tag, ok := sf.Tag.Lookup(source)
			if !ok {
				continue
			}
			f := newFieldSpec(t, sf, i)
			f.path = path
			f.source = source
			name, opts, _ := strings.Cut(tag, ",")
			f.name = name
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "":
				case "comma":
					f.comma = true
				case "words":
					f.words = true
				case "notfound":
					if pathNotFound[name] == nil {
						panic(fmt.Sprintf("decode %s.%s: no not-found answer for path %q", t, sf.Name, name))
					}
					f.notFound = true
				default:
					panic(fmt.Sprintf("decode %s.%s: unknown option %q", t, sf.Name, o))
				}
			}
			f.text = reflect.PointerTo(sf.Type).Implements(textDecoderType)
			if source == "query" && !f.text {
				kind, ok := queryKinds[sf.Type]
				if !ok {
					panic(fmt.Sprintf("decode %s.%s: query field has unsupported type %s", t, sf.Name, sf.Type))
				}
				f.kind = kind
			}
			if source == "body" {
				f.nested = bodyChecks(sf.Type)
			}
			fields = append(fields, f)
		}
	}
	return fields
}

// newFieldSpec reads the bound tags of a field.
func newFieldSpec(t reflect.Type, sf reflect.StructField, i int) *fieldSpec {
	f := &fieldSpec{index: i}
	bound := func(tag string) *int64 {
		v, ok := sf.Tag.Lookup(tag)
		if !ok {
			return nil
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return &n
		}
		n, ok := limitConstants[v]
		if !ok {
			panic(fmt.Sprintf("decode %s.%s: %s:%q is neither a number nor a known limit", t, sf.Name, tag, v))
		}
		return &n
	}
	f.min, f.max, f.items = bound("min"), bound("max"), bound("items")
	if d := bound("default"); d != nil {
		f.def = *d
	}
	f.required = sf.Tag.Get("required") == "true"
	f.unit = sf.Tag.Get("unit")
	return f
}

// bodyChecks returns the checks of the fields of a body type (a struct, a
// pointer to one, or a slice of them) that carry bounds.
func bodyChecks(t reflect.Type) []*fieldSpec {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []*fieldSpec
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		f := newFieldSpec(t, sf, i)
		f.name = name
		f.nested = bodyChecks(sf.Type)
		if f.min != nil || f.max != nil || f.items != nil || f.required || f.nested != nil {
			out = append(out, f)
		}
	}
	return out
}

func (f *fieldSpec) decode(r *http.Request, query url.Values, v reflect.Value) error {
	switch f.source {
	case "path":
		id := r.PathValue(f.name)
		if f.text {
			return v.Addr().Interface().(textDecoder).decodeText(id)
		}
		if err := f.checkString(id, 1); err != nil {
			if f.notFound {
				return pathNotFound[f.name](id)
			}
			return err
		}
		v.SetString(id)
		return nil
	case "header":
		h, _ := headerValue(r, f.name)
		if f.max != nil {
			// Messages name headers in lower case, as the SDK sends them.
			if err := casebook.CheckLength(strings.ToLower(f.name), h, 0, int(*f.max)); err != nil {
				return err
			}
		}
		v.SetString(h)
		return nil
	case "body":
		if err := decodeJSON(r, v.Addr().Interface()); err != nil {
			return err
		}
		return checkNested(f.nested, v)
	}
	return f.decodeQuery(query[f.name], v)
}

// decodeQuery sets v from the values of a query parameter.
func (f *fieldSpec) decodeQuery(values []string, v reflect.Value) error {
	first := ""
	if len(values) > 0 {
		first = values[0]
	}
	if f.text {
		if err := f.checkString(first, 0); err != nil {
			return err
		}
		return v.Addr().Interface().(textDecoder).decodeText(first)
	}
	switch f.kind {
	case queryString:
		if err := f.checkString(first, 0); err != nil {
			return err
		}
		v.SetString(first)
	case queryInt:
		n, err := f.parseInt(first, f.def)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case queryIntPtr:
		if strings.TrimSpace(first) == "" {
			return nil
		}
		n, err := f.parseInt(first, 0)
		if err != nil {
			return err
		}
		i := int(n)
		v.Set(reflect.ValueOf(&i))
	case queryStrings:
		list, err := f.list(values)
		if err != nil {
			return err
		}
		for _, item := range list {
			if err := f.checkString(item, 0); err != nil {
				return err
			}
		}
		v.Set(reflect.ValueOf(list))
	case queryInts:
		list, err := f.list(values)
		if err != nil {
			return err
		}
		ints := make([]int, 0, len(list))
		for _, item := range list {
			n, err := f.parseInt(item, 0)
			if err != nil {
				return err
			}
			ints = append(ints, int(n))
		}
		v.Set(reflect.ValueOf(ints))
	}
	return nil
}

// list returns every value of a list parameter, split as the options say,
// trimmed, without empty items, after checking their number.
func (f *fieldSpec) list(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		parts := []string{v}
		switch {
		case f.words:
			parts = strings.Fields(v)
		case f.comma:
			parts = strings.Split(v, ",")
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	if f.items != nil {
		if err := casebook.CheckCount(f.name, len(out), 0, int(*f.items)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseInt reads an integer (spaces around it allowed), def when empty.
func (f *fieldSpec) parseInt(s string, def int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	lo, hi := f.bounds()
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, casebook.RangeError(f.name, lo, hi)
	}
	return int64(n), casebook.CheckRange(f.name, int64(n), lo, hi)
}

// bounds returns the range of an integer field; an absent bound is open.
func (f *fieldSpec) bounds() (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if f.min != nil {
		lo = *f.min
	}
	if f.max != nil {
		hi = *f.max
	}
	return lo, hi
}

// checkString checks a string's length against the field's bounds;
// minLen applies when the field has no min tag.
func (f *fieldSpec) checkString(s string, minLen int64) error {
	if f.min != nil {
		minLen = *f.min
	}
	if f.max == nil {
		if s == "" && minLen > 0 {
			return casebook.Invalidf(f.name, "%s is required.", f.name)
		}
		return nil
	}
	return casebook.CheckLength(f.name, s, int(minLen), int(*f.max))
}

// checkNested applies the checks of a decoded body value's fields.
func checkNested(checks []*fieldSpec, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return checkNested(checks, v.Elem())
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := checkNested(checks, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	for _, f := range checks {
		if err := f.check(v.Field(f.index)); err != nil {
			return err
		}
	}
	return nil
}

// check applies a body field's bounds to its decoded value.
func (f *fieldSpec) check(v reflect.Value) error {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if f.required {
				return casebook.Invalidf(f.name, "%s is required.", f.name)
			}
			return nil
		}
		if v.Elem().Kind() != reflect.Struct {
			v = v.Elem()
		}
	}
	switch v.Kind() {
	case reflect.String:
		if err := f.checkString(v.String(), 0); err != nil {
			return err
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo, hi := f.bounds()
		if n := v.Int(); n < lo || n > hi {
			if f.unit != "" {
				return casebook.Invalidf(f.name, "%s must be %s from %d to %d.", f.name, f.unit, lo, hi)
			}
			return casebook.RangeError(f.name, lo, hi)
		}
	case reflect.Slice:
		if f.items != nil {
			if err := casebook.CheckCount(f.name, v.Len(), 0, int(*f.items)); err != nil {
				return err
			}
		}
		if v.Type().Elem().Kind() == reflect.String && (f.min != nil || f.max != nil) {
			for i := 0; i < v.Len(); i++ {
				if err := f.checkString(v.Index(i).String(), 0); err != nil {
					return err
				}
			}
		}
	}
	return checkNested(f.nested, v)
}
