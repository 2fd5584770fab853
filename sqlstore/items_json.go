package sqlstore

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

// An authorization's items are read with it as one JSON column, an array
// of arrays [id, type, instance id, instance name, region, port, account,
// has credential], built by the engine (Dialect.ItemsJSON). One row of 24
// columns instead of a row of 31 per item: modernc.org/sqlite pays for
// every column of every row, and the detail's statement went from about
// 38 to 31 µs (docs/benchmarks.md, finding 21). decodeItems reads that
// array without reflection: encoding/json took 10-14 µs for the same.

// itemFields is the number of values of one item's array.
const itemFields = 8

// itemString is where each string value of an item's array goes in
// item's strs; the others are integers and the flag.
var itemString = [itemFields]int{2: 0, 3: 1, 4: 2, 6: 3}

// decodeItems parses s, an engine's JSON array of items, into the details
// of authorization id, in id order. It accepts any JSON whitespace, numbers
// that are integers, strings with any escape, and true, false or 0, 1 for
// the flag; anything else is an error, never a silent zero.
func decodeItems(s, id string) ([]casebook.AuthDetail, error) {
	p := itemParser{s: s}
	var ds []casebook.AuthDetail
	if err := p.expect('['); err != nil {
		return nil, err
	}
	if p.peek() == ']' {
		p.i++
		return nil, p.end()
	}
	for {
		d, err := p.item()
		if err != nil {
			return nil, err
		}
		d.AuthorizationID = id
		ds = append(ds, d)
		switch c := p.next(); c {
		case ',':
			continue
		case ']':
			if err := p.end(); err != nil {
				return nil, err
			}
			slices.SortFunc(ds, func(a, b casebook.AuthDetail) int { return cmp.Compare(a.ID, b.ID) })
			return ds, nil
		default:
			return nil, p.errorf("want , or ] after an item")
		}
	}
}

type itemParser struct {
	s string
	i int
}

func (p *itemParser) errorf(format string, args ...any) error {
	return fmt.Errorf("authorization items at byte %d: "+format, append([]any{p.i}, args...)...)
}

func (p *itemParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// peek returns the next byte after whitespace, 0 at the end.
func (p *itemParser) peek() byte {
	p.skipSpace()
	if p.i == len(p.s) {
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

func (p *itemParser) expect(c byte) error {
	if p.next() != c {
		return p.errorf("want %q", c)
	}
	return nil
}

func (p *itemParser) end() error {
	if p.peek() != 0 {
		return p.errorf("trailing data")
	}
	return nil
}

func (p *itemParser) item() (d casebook.AuthDetail, err error) {
	if err := p.expect('['); err != nil {
		return d, err
	}
	var n [3]int64 // id, type, port
	var strs [4]string
	var flag bool
	for k := range itemFields {
		if k > 0 {
			if err := p.expect(','); err != nil {
				return d, err
			}
		}
		switch k {
		case 0, 1, 5:
			n[min(k, 2)], err = p.integer()
		case 7:
			flag, err = p.flag()
		default:
			strs[itemString[k]], err = p.str()
		}
		if err != nil {
			return d, err
		}
	}
	if err := p.expect(']'); err != nil {
		return d, err
	}
	return casebook.AuthDetail{ID: n[0], Type: int(n[1]), InstanceID: strs[0], InstanceName: strs[1],
		RegionID: strs[2], Port: int(n[2]), Account: strs[3], HasCredential: flag}, nil
}

func (p *itemParser) integer() (int64, error) {
	p.skipSpace()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	if err != nil {
		return 0, p.errorf("want an integer: %v", err)
	}
	return v, nil
}

func (p *itemParser) flag() (bool, error) {
	p.skipSpace()
	for _, w := range []struct {
		text string
		v    bool
	}{{"true", true}, {"false", false}, {"1", true}, {"0", false}} {
		if strings.HasPrefix(p.s[p.i:], w.text) {
			p.i += len(w.text)
			return w.v, nil
		}
	}
	return false, p.errorf("want true, false, 0 or 1")
}

// str reads a JSON string. One without escapes is a slice of the input
// (copied, so that the input can go); one with escapes goes through
// encoding/json, which knows every escape and surrogate pair.
func (p *itemParser) str() (string, error) {
	if p.next() != '"' {
		return "", p.errorf("want a string")
	}
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			if !escaped {
				return strings.Clone(p.s[start : p.i-1]), nil
			}
			var v string
			if err := json.Unmarshal([]byte(p.s[start-1:p.i]), &v); err != nil {
				return "", p.errorf("bad string: %v", err)
			}
			return v, nil
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", p.errorf("control character in a string")
		case c < utf8.RuneSelf:
			p.i++
		default:
			_, size := utf8.DecodeRuneInString(p.s[p.i:])
			p.i += size
		}
	}
	return "", p.errorf("unterminated string")
}
