package console

import (
	"html/template"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

// funcs are the template functions. None of them returns template.HTML:
// everything they produce is escaped like any other value.
var funcs = template.FuncMap{
	"fmtTime": fmtTime,
	"fmtTimePtr": func(loc *time.Location, t *time.Time) string {
		if t == nil {
			return ""
		}
		return fmtTime(loc, *t)
	},
	"dict":     casebook.DictName,
	"caseOpen": casebook.CaseIsOpen,
	"caseStatus": func(l map[string]string, status int) string {
		return labelOr(l, "case_status_"+strconv.Itoa(status), strconv.Itoa(status))
	},
	"authStatus": func(l map[string]string, status int) string {
		return labelOr(l, "auth_status_"+strconv.Itoa(status), strconv.Itoa(status))
	},
	"auditAction": func(l map[string]string, action string) string {
		return labelOr(l, "audit_"+action, action)
	},
	"short": short,
	"inc":   func(i int) int { return i + 1 },
}

func labelOr(l map[string]string, key, fallback string) string {
	if v := l[key]; v != "" {
		return v
	}
	return fallback
}

// fmtTime shows t in the user's time zone, to the minute.
func fmtTime(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// short cuts s to n characters, on a character boundary.
func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
