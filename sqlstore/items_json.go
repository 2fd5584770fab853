package sqlstore

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

// An authorization's items are read with it as one JSON column, an array
// of arrays [id, type, instance id, instance name, region, port, account,
// has credential], built by the engine (findAuthorization). One row of 24
// columns instead of a row of 31 per item: modernc.org/sqlite pays for
// every column of every row, and the detail's statement went from about
// 38 to 31 µs (docs/benchmarks.md, finding 21). decodeItems reads that
// array without reflection: encoding/json took 10-14 µs for the same.

// itemColumns are an item's columns in the order decodeItems reads them.
// Whether it holds a credential is read from credentials, whose key is the
// item's id, not stored beside it (docs/benchmarks.md, finding 22).
const itemColumns = `d.id, d.detail_type, d.instance_id, d.instance_name, d.region_id, d.port, d.account,
	EXISTS (SELECT 1 FROM credentials k WHERE k.detail_id = d.id)`

// decodeItems parses s, an engine's JSON array of items, into the details
// of authorization id, in id order. It accepts any JSON whitespace, numbers
// that are integers, strings with any escape, and true, false or 0, 1 for
// the flag; anything else is an error, never a silent zero.
func decodeItems(s, id string) ([]casebook.AuthDetail, error) {
	p := itemParser{s: s, what: "authorization items"}
	var ds []casebook.AuthDetail
	p.elements('[', ']', func() {
		d := p.item()
		d.AuthorizationID = id
		ds = append(ds, d)
	})
	if err := p.end(); err != nil {
		return nil, err
	}
	slices.SortFunc(ds, func(a, b casebook.AuthDetail) int { return cmp.Compare(a.ID, b.ID) })
	return ds, nil
}

// decodeAuthorization parses s, an engine's JSON array of the values of
// authorizationColumns in their order (Dialect.RowAsJSON), with times as
// unix milliseconds and null for a time not set.
func decodeAuthorization(s string) (*casebook.Authorization, error) {
	p := itemParser{s: s, what: "authorization row"}
	var a casebook.Authorization
	p.expect('[')
	strs := func(dst ...*string) {
		for _, d := range dst {
			*d = p.str()
			p.expect(',')
		}
	}
	strs(&a.ID, &a.AccountID, &a.CaseID)
	a.Status = int(p.integer())
	p.expect(',')
	strs(&a.ResourceTypeID, &a.VisitTypeID, &a.ContentTypeID, &a.Describe, &a.ContentOfAuthLetter, &a.EngineerID,
		&a.EngineerName, &a.HandlerID, &a.HandlerName, &a.AgencyID, &a.AgencyName, &a.RejectReason)
	a.EffectiveAt = p.nullTime()
	p.expect(',')
	a.ExpireAt = p.nullTime()
	p.expect(',')
	a.CreatedAt = time.UnixMilli(p.integer()).UTC()
	p.expect(',')
	a.UpdatedAt = time.UnixMilli(p.integer()).UTC()
	p.expect(',')
	strs(&a.CaseDescription, &a.CaseCreatorID)
	a.CaseCreatorName = p.str()
	p.expect(']')
	if err := p.end(); err != nil {
		return nil, err
	}
	return &a, nil
}

// itemParser reads s from i. The first error sticks: later reads return
// zero values, and end returns the error.
type itemParser struct {
	s    string
	what string // in errors: "authorization items"
	i    int
	err  error
}

// elements reads a JSON array or object: open, then elements separated by
// commas, each read by each, then close.
func (p *itemParser) elements(open, close byte, each func()) {
	p.expect(open)
	if p.peek() == close {
		p.i++
		return
	}
	for p.err == nil {
		each()
		if c := p.next(); c == close {
			return
		} else if c != ',' {
			p.errorf("want , or %c", close)
		}
	}
}

// end reports the first error, or trailing data after the value.
func (p *itemParser) end() error {
	if p.peek() != 0 {
		p.errorf("trailing data")
	}
	return p.err
}

func (p *itemParser) errorf(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s at byte %d: "+format, append([]any{p.what, p.i}, args...)...)
	}
}

// peek returns the next byte after whitespace, 0 at the end or after an
// error.
func (p *itemParser) peek() byte {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
	if p.err != nil || p.i == len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// next consumes and returns the next byte after whitespace, 0 at the end.
func (p *itemParser) next() byte {
	c := p.peek()
	if c != 0 {
		p.i++
	}
	return c
}

func (p *itemParser) expect(c byte) {
	if p.next() != c {
		p.errorf("want %q", c)
	}
}

// item reads one item's array.
func (p *itemParser) item() casebook.AuthDetail {
	var d casebook.AuthDetail
	p.expect('[')
	d.ID = p.integer()
	p.expect(',')
	d.Type = int(p.integer())
	p.expect(',')
	d.InstanceID = p.str()
	p.expect(',')
	d.InstanceName = p.str()
	p.expect(',')
	d.RegionID = p.str()
	p.expect(',')
	d.Port = int(p.integer())
	p.expect(',')
	d.Account = p.str()
	p.expect(',')
	d.HasCredential = p.flag()
	p.expect(']')
	return d
}

func (p *itemParser) integer() int64 {
	p.peek()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	if err != nil {
		p.errorf("want an integer: %v", err)
	}
	return v
}

// nullTime reads unix milliseconds, or null for no time.
func (p *itemParser) nullTime() *time.Time {
	if p.peek() == 'n' {
		if !strings.HasPrefix(p.s[p.i:], "null") {
			p.errorf("want null or an integer")
			return nil
		}
		p.i += len("null")
		return nil
	}
	t := time.UnixMilli(p.integer()).UTC()
	return &t
}

func (p *itemParser) flag() bool {
	p.peek()
	for _, w := range []string{"true", "1", "false", "0"} {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			return w == "true" || w == "1"
		}
	}
	p.errorf("want true, false, 0 or 1")
	return false
}

// str reads a JSON string. One without escapes is a slice of the input
// (the details keep the column's text alive, a few hundred bytes); one
// with escapes goes through encoding/json, which knows every escape and
// surrogate pair.
func (p *itemParser) str() string {
	if p.next() != '"' {
		p.errorf("want a string")
		return ""
	}
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			if !escaped {
				return p.s[start : p.i-1]
			}
			var v string
			if err := json.Unmarshal([]byte(p.s[start-1:p.i]), &v); err != nil {
				p.errorf("bad string: %v", err)
			}
			return v
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			p.errorf("control character in a string")
			return ""
		case c < utf8.RuneSelf:
			p.i++
		default:
			_, size := utf8.DecodeRuneInString(p.s[p.i:])
			p.i += size
		}
	}
	p.errorf("unterminated string")
	return ""
}
