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

// appendJSONKey appends ,"key": for every field but the first, whose key
// is written with the opening brace.
func appendJSONKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func (d *authorizationDetail) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, d.ID)
	b = appendJSONKey(b, "status")
	b = strconv.AppendInt(b, int64(d.Status), 10)
	b = appendJSONKey(b, "incident_id")
	b = appendJSONString(b, d.IncidentID)
	b = appendJSONKey(b, "simple_description")
	b = appendJSONString(b, d.SimpleDescription)
	b = appendJSONKey(b, "resource_type_id")
	b = appendJSONString(b, d.ResourceTypeID)
	b = appendJSONKey(b, "resource_type_name")
	b = appendJSONString(b, d.ResourceTypeName)
	b = appendJSONKey(b, "visit_type_id")
	b = appendJSONString(b, d.VisitTypeID)
	b = appendJSONKey(b, "visit_type_name")
	b = appendJSONString(b, d.VisitTypeName)
	b = appendJSONKey(b, "auth_effective_time")
	b = appendJSONStringPtr(b, d.AuthEffectiveTime)
	b = appendJSONKey(b, "auth_expire_time")
	b = appendJSONStringPtr(b, d.AuthExpireTime)
	b = appendJSONKey(b, "reject_reason")
	b = appendJSONStringPtr(b, d.RejectReason)
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
	b = appendJSONKey(b, "xcustomer_name")
	b = appendJSONString(b, d.XCustomerName)
	b = appendJSONKey(b, "auth_handler_name")
	b = appendJSONStringPtr(b, d.AuthHandlerName)
	b = appendJSONKey(b, "agency_name")
	b = appendJSONStringPtr(b, d.AgencyName)
	b = appendJSONKey(b, "auth_describe")
	b = appendJSONString(b, d.AuthDescribe)
	b = appendJSONKey(b, "content_type_id")
	b = appendJSONString(b, d.ContentTypeID)
	b = appendJSONKey(b, "content_type_name")
	b = appendJSONString(b, d.ContentTypeName)
	return append(b, '}')
}

func (it *authorizationDetailItem) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, it.ID, 10)
	b = appendJSONKey(b, "port")
	b = strconv.AppendInt(b, int64(it.Port), 10)
	b = appendJSONKey(b, "account")
	b = appendJSONString(b, it.Account)
	b = appendJSONKey(b, "type")
	b = strconv.AppendInt(b, int64(it.Type), 10)
	b = appendJSONKey(b, "instance_id")
	b = appendJSONString(b, it.InstanceID)
	b = appendJSONKey(b, "instance_name")
	b = appendJSONString(b, it.InstanceName)
	b = appendJSONKey(b, "region_id")
	b = appendJSONString(b, it.RegionID)
	return append(b, '}')
}
