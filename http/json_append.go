package http

import (
	"strconv"
	"unicode/utf8"
)

// jsonAppender is a response body that writes its own JSON, byte for byte
// what encoding/json writes for it without HTML escaping (writeJSON's
// encoder): the hottest responses skip reflection (docs/benchmarks.md,
// finding 26). TestAppendJSONMatchesEncoding holds each one to that.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// appendJSONString appends s as encoding/json writes a string without HTML
// escaping: \" \\ \b \f \n \r \t, \u00XX for the other control bytes,
// \ufffd for each byte that is not valid UTF-8, and \u2028 and \u2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONStringPtr appends null for nil.
func appendJSONStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// The fields after an object's first: ,"key":value. The first field is
// written with the opening brace.
func appendStringField(b []byte, key, s string) []byte {
	return appendJSONString(appendJSONKey(b, key), s)
}

func appendStringPtrField(b []byte, key string, s *string) []byte {
	return appendJSONStringPtr(appendJSONKey(b, key), s)
}

func appendIntField(b []byte, key string, n int64) []byte {
	return strconv.AppendInt(appendJSONKey(b, key), n, 10)
}

func appendJSONKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func (d *authorizationDetail) appendJSON(b []byte) []byte {
	b = appendJSONString(append(b, `{"id":`...), d.ID)
	b = appendIntField(b, "status", int64(d.Status))
	b = appendStringField(b, "incident_id", d.IncidentID)
	b = appendStringField(b, "simple_description", d.SimpleDescription)
	b = appendStringField(b, "resource_type_id", d.ResourceTypeID)
	b = appendStringField(b, "resource_type_name", d.ResourceTypeName)
	b = appendStringField(b, "visit_type_id", d.VisitTypeID)
	b = appendStringField(b, "visit_type_name", d.VisitTypeName)
	b = appendStringPtrField(b, "auth_effective_time", d.AuthEffectiveTime)
	b = appendStringPtrField(b, "auth_expire_time", d.AuthExpireTime)
	b = appendStringPtrField(b, "reject_reason", d.RejectReason)
	b = appendJSONKey(b, "incident_auth_detail_list")
	if d.IncidentAuthDetailList == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range d.IncidentAuthDetailList {
			if i > 0 {
				b = append(b, ',')
			}
			b = d.IncidentAuthDetailList[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = appendStringField(b, "xcustomer_name", d.XCustomerName)
	b = appendStringPtrField(b, "auth_handler_name", d.AuthHandlerName)
	b = appendStringPtrField(b, "agency_name", d.AgencyName)
	b = appendStringField(b, "auth_describe", d.AuthDescribe)
	b = appendStringField(b, "content_type_id", d.ContentTypeID)
	b = appendStringField(b, "content_type_name", d.ContentTypeName)
	return append(b, '}')
}

func (it *authorizationDetailItem) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"id":`...), it.ID, 10)
	b = appendIntField(b, "port", int64(it.Port))
	b = appendStringField(b, "account", it.Account)
	b = appendIntField(b, "type", int64(it.Type))
	b = appendStringField(b, "instance_id", it.InstanceID)
	b = appendStringField(b, "instance_name", it.InstanceName)
	b = appendStringField(b, "region_id", it.RegionID)
	return append(b, '}')
}
