// Package casebook is the domain of the Casebook service-ticket server:
// accounts and their users and groups, tickets (cases) with messages,
// attachments and relations, and the authorizations a customer grants to a
// support engineer. It depends on the standard library only; storage, blob
// stores and the HTTP wire format live in their own packages.
package casebook

import (
	"errors"
	"fmt"
)

// Error kinds. The HTTP layer maps each kind to a status code and, together
// with Reason, to a Huawei OSM error code.
const (
	EINVALID      = "invalid"      // bad input; nothing changed
	ENOTFOUND     = "not_found"    // does not exist or is outside the caller's view
	ECONFLICT     = "conflict"     // the object is not in a state that allows this
	EFORBIDDEN    = "forbidden"    // the caller may not do this (e.g. not in the group)
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	ELIMIT        = "limit"        // a quota or rate limit was hit
	EINTERNAL     = "internal"     // a bug or a failing dependency
	// EUNAVAILABLE: a dependency (the attachment store) cannot be reached;
	// the same request may succeed later. Nothing was changed.
	EUNAVAILABLE = "unavailable"
)

// Reasons refine a kind where the OSM API has a dedicated error code.
const (
	ReasonNone             = ""
	ReasonCaseNotFound     = "case_not_found"     // OSM.01010015
	ReasonBadCaseAction    = "bad_case_action"    // OSM.01010013
	ReasonBadAuthAction    = "bad_auth_action"    // OSM.01010018
	ReasonUrgeTooSoon      = "urge_too_soon"      // OSM.01010004
	ReasonUploadQuota      = "upload_quota"       // OSM.01010005
	ReasonRelationLimit    = "relation_limit"     // OSM.01010043
	ReasonSeverityNotFound = "severity_not_found" // OSM.01010006
	ReasonNoPermission     = "no_permission"      // OSM.01010002
	ReasonLabelUserLimit   = "label_user_limit"   // OSM.01010040
	ReasonLabelCaseLimit   = "label_case_limit"   // OSM.01010041
	ReasonLabelNameTaken   = "label_name_taken"   // OSM.01010042
)

// Error is the error type returned by the domain for anything a caller can
// act on. Message is safe to show to the caller (in English); it never holds
// secrets. Field, when set, names the offending input field.
type Error struct {
	Code    string
	Reason  string
	Field   string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("casebook error: code=%s reason=%s message=%s", e.Code, e.Reason, e.Message)
}

// Errorf returns an *Error with the given kind and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID error about one input field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns an ENOTFOUND error.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf(format, args...)}
}

// WithReason returns a copy of e with the reason set.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// ErrorCode returns the kind of err if it is (or wraps) an *Error, and
// EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err, or a generic message
// for internal errors, whose details must only be logged.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorReason returns the reason of err if it is (or wraps) an *Error.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
