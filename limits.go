package casebook

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Documented limits of the OSM API (shared/spec; where doc versions
// disagree, the most permissive bound that fits the SDK's types, see
// docs/compatibility.md). Every limit is one constant here and is checked
// on one side only, below; the one exception, pages, which the Service
// re-checks for its other callers, is checked with the same function on both
// sides, so the message is the same. CheckLength, CheckRange and CheckCount
// give the generic messages; a few limits have a more telling one of their
// own (the relation cap, the download batch).
//
// Who checks what:
//   - The Service checks every value it receives and acts on: the fields of
//     its input structs (CaseInput, CaseActionInput, ConfirmInput,
//     AuthorizationRequest, UploadInput), message contents, reasons, id lists
//     (attachments, relations) and group ids (ScopeFor).
//   - The HTTP layer checks, against these constants and with these
//     functions, only what never reaches the Service as such: query filters
//     and paging (their forms and defaults differ per operation: limit=0 is
//     the default page in ListCases but refused by ListAuthorizations), the
//     raw text of values it parses (times, status lists, form_data), ids in
//     paths (too long to name anything: not found) and the attachment ids of
//     downloads and access links (lookups only), and documented fields the
//     Service does not take (verify_code, authorization_content,
//     X-Phone-Verifiedid, X-Email-Verifiedid,
//     incident_satisfaction_list). label_id_list is checked on both sides
//     (its ids must also be the caller's labels, which only the Service
//     knows). The Service still bounds every page it
//     reads (normalizePage) with the same constants.
//
// Lengths are in characters (runes), the unit of the documentation.
const (
	// Ids.
	MaxCaseIDLength          = 64  // case_id, incident_id, related ids (zh docs: 32, en: 64)
	MaxGroupIDLength         = 64  // group_id everywhere
	MaxAuthorizationIDLength = 32  // authorization_id
	MaxAccessoryIDLength     = 64  // one attachment id (CreateCases, downloads, access urls)
	MaxMessageAccessoryIDLen = 32  // one attachment id in CreateMessages
	MaxDictIDLength          = 64  // resource_type_id, visit_type_id, content_type_id
	MaxBusinessTypeIDLength  = 512 // business_type_id

	// Paging and list filters.
	MaxListOffset      = 65535 // offset of every list
	MaxPageLimit       = 100   // limit of every list
	DefaultPageLimit   = 10    // limit when none (or, in ListCases, 0) is given
	DefaultAuditLimit  = 50    // limit of the engineers' audit list when none is given
	MaxCaseTotal       = 65535 // ListCases total_count: documented as 0..65535
	MaxCaseStatus      = 30    // ticket status filters (newest doc: 0..30)
	MaxStatusFilters   = 10    // repeated status filters on the engineers' queue
	MaxAuthStatus      = 10    // authorization status filter 0..10
	MaxSearchKeys      = 32    // search_key words (older docs 32, newest 3)
	MaxSearchKeyLength = 64    // each search_key word
	MaxLabelIDs        = 5     // label_id_list items
	MaxQueryTimeLength = 32    // query_start_time / query_end_time
	MaxStatusListLen   = 32    // incident_status, comma-separated
	MaxFilterLength    = 64    // app_key, x_customer_id, x_customer_name, account
	MaxUserNameFilter  = 256   // sub_customer_name
	MaxActionIDLength  = 64    // UpdateCases action_id
	MaxAuthActionShown = 16    // UpdateAuthorizations action_id, as echoed in errors

	// Tickets and messages.
	MaxDescriptionLength   = 2000  // simple_description (create page: 1200; list/detail: 2000), also as a filter
	MaxMessageLength       = 10000 // message content, customers' and engineers'
	MaxJudgementLength     = 400   // UpdateCases judgement / operate_desc
	MaxMessageAccessories  = 10    // CreateMessages accessory_ids items (Config.AccessoryMaxCount applies too)
	MaxExtendsEntries      = 50    // extends_map entries (undocumented; ours)
	MaxExtendsKeyLength    = 64    // extends_map key (undocumented; ours)
	MaxExtendsValueLength  = 2000  // extends_map value (undocumented; ours)
	MaxVerifiedIDLength    = 32    // X-Phone-Verifiedid / X-Email-Verifiedid headers
	MaxVerifyCodeLength    = 32    // verify_code
	MaxAuthContentLength   = 10000 // authorization_content
	MaxSatisfactions       = 100   // incident_satisfaction_list items
	MaxSatisfactionID      = 9999  // satisfaction_id 0..9999
	MaxSatisfactionValue   = 65535 // satisfaction_value, value, per_value
	MaxSatisfactionNameLen = 32    // satisfaction_name, sat_category_id
	MaxSatCategoryNameLen  = 64    // sat_category_name

	// Case fields (CaseInput).
	MaxIncidentSubTypeIDLength = 32
	MaxProductCategoryIDLength = 64
	MaxRegionIDLength          = 64
	MaxProjectIDLength         = 64
	MaxSeverityIDLength        = 64
	MaxSourceIDLength          = 32
	MaxRemindMobileLength      = 32
	MaxRemindMailLength        = 128
	MaxCcEmailLength           = 128 // each carbon-copy address, as remind_mail
	MaxRemindTimeLength        = 16
	MaxAreaCodeLength          = 16

	// Labels.
	MaxLabelsPerUser     = 30         // labels one user may own
	MaxLabelsPerCase     = 5          // labels of one user on one ticket; also label_ids per call
	MaxLabelNameLength   = 64         // name 1..64
	LabelColorLength     = 7          // color: #RRGGBB
	MaxLabelID           = 2147483647 // label ids are int32 in the SDK
	MaxLabelListOffset   = 2147483647 // ListLabels offset 0..2147483647
	MaxOrderPageNo       = 65535      // ListOrderIncident pageNo 1..65535; (pageNo-1)*pageSize stays within MaxListOffset
	MaxExportLanguageLen = 32         // DownloadCases language
	MaxExportTimezoneLen = 64         // DownloadCases timezone
	MaxExportSearchKey   = 32         // DownloadCases search_key
	MaxExportStatus      = 20         // DownloadCases status 0..20
	MaxExportSourceIDs   = 10         // DownloadCases tenant_source_id_list items
	MaxExportRows        = 65535      // DownloadCases limit (0 or absent: every matching ticket)

	// Relations.
	MaxRelationsPerCase = 3 // associations per ticket, in total

	// Authorizations.
	MaxAuthDetails        = 5     // incident_auth_detail_list of a request, 1..5
	MaxConfirmDetails     = 6     // auth_detail_list of a confirmation, 0..6
	MaxAuthDescribeLength = 2000  // auth_describe
	MaxRejectReasonLength = 300   // reject_reason 1..300
	MaxDetailFieldLength  = 64    // instance_id, instance_name, region_id, account
	MaxAgencyIDLength     = 64    // agency_id
	MaxCredentialPassword = 10240 // password in ConfirmAuthorizations
	MaxPort               = 65535 // ports of details and credentials

	// Attachments.
	MaxFormDataLength      = 5000 // UploadAccessory form_data
	MaxAccessoryNameLength = 255  // attachment file names
	MaxDownloadPathLength  = 650  // DownloadAccessories path: comma-separated ids
	MaxDownloadIDs         = 10   // ids per DownloadAccessories call (legacy doc: 10, zipped)
	MaxAccessURLIDs        = 100  // ListAccessoryAccessUrls accessory_ids

	// The conversation feed (issue 9).
	MaxFeedCaseIDs      = 100 // case_ids of the two polls (their response lists hold 0..100 tickets)
	MaxFeedMessages     = 100 // messages per ListNewInstantMessages answer; the cursor brings the rest
	MaxFeedCursorLength = 64  // last_message_time_id
	MaxCreateTimeLength = 32  // ListMoreInstantMessages create_time
	MaxMessageIDLength  = 64  // RevokeMessage message_id
)

// MessageRevokeWindow is how long after posting a customer may withdraw
// their own message (RevokeMessage); its content is then deleted.
const MessageRevokeWindow = 2 * time.Minute

// CheckLength returns an EINVALID error when v is not min..max characters
// or holds a NUL character.
func CheckLength(field, v string, min, max int) error {
	if strings.IndexByte(v, 0) >= 0 {
		// No stored text can hold one (PostgreSQL refuses it), and in
		// a pattern SQLite would stop at it.
		return Invalidf(field, "%s must not contain NUL characters.", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min || n > max {
		if min == 0 {
			return Invalidf(field, "%s must be at most %d characters.", field, max)
		}
		return Invalidf(field, "%s must be %d to %d characters.", field, min, max)
	}
	return nil
}

// CheckRange returns an EINVALID error when n is not in min..max.
func CheckRange(field string, n, min, max int64) error {
	if n < min || n > max {
		return RangeError(field, min, max)
	}
	return nil
}

// RangeError is the one message of an integer outside min..max, also for
// a value that is not an integer at all.
func RangeError(field string, min, max int64) *Error {
	return Invalidf(field, "%s must be an integer from %d to %d.", field, min, max)
}

// CheckCount returns an EINVALID error when a list of n items is not
// min..max items long.
func CheckCount(field string, n, min, max int) error {
	if n < min || n > max {
		if min == 0 {
			return Invalidf(field, "%s may hold at most %d items.", field, max)
		}
		return Invalidf(field, "%s must hold %d to %d items.", field, min, max)
	}
	return nil
}

// Identity and authentication limits (the IAM subset and the context
// headers).
const (
	MaxNameLength          = 64   // account, user, group and engineer names (Huawei IAM: 64)
	MaxIAMIDLength         = 64   // user, domain and access key ids in the IAM subset (Huawei: 32 hex; we allow 64)
	MaxAuthTokenLength     = 5000 // X-Auth-Token, and X-Subject-Token when validated
	MaxContextHeaderLength = 32   // X-Language and X-Time-Zone: 1..32 characters

	// Temporary access keys live 15 minutes to 24 hours, 15 minutes
	// unless asked otherwise (Huawei IAM's bounds), in seconds.
	MinTemporaryKeySeconds     = 15 * 60
	MaxTemporaryKeySeconds     = 24 * 60 * 60
	DefaultTemporaryKeySeconds = MinTemporaryKeySeconds
)
