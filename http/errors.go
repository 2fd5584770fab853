package http

import (
	"errors"
	"net/http"
	"strings"

	"github.com/casebook/casebook"
)

// Reasons used only by the HTTP layer.
const (
	reasonNoRoute        = "no_route"        // no such path: APIGW.0101
	reasonNotImplemented = "not_implemented" // an SDK operation Casebook lacks: 501 APIGW.0101
	reasonMalformed      = "malformed"       // body or query cannot be parsed: OSM.0001
	reasonBodyTimeout    = "body_timeout"    // the body did not arrive before the deadline: 408 OSM.0001
	reasonNoAuth         = "no_auth"         // no credentials at all: APIGW.0301
	reasonBadToken       = "bad_token"       // token unreadable or forged: APIGW.0301
	reasonExpired        = "token_expired"   // token past its expiry: APIGW.0301
	reasonBadSig         = "bad_signature"   // AK/SK signature check failed: APIGW.0301
	reasonSigDate        = "signature_date"  // X-Sdk-Date missing or outside the skew: APIGW.0301
	reasonUnknownKey     = "unknown_key"     // AK unknown or disabled: APIGW.0301
	reasonDomain         = "domain_mismatch" // X-Domain-Id is not the key's account
	reasonWrongRealm     = "wrong_realm"     // a customer token on the support API or vice versa
	reasonUserBlocked    = "user_blocked"    // user disabled, deleted or password changed
	reasonLoginFailed    = "login_failed"    // POST /v3/auth/tokens: wrong name or password: IAM.0101
)

// Reasons of the routing layer beyond no_route and not_implemented.
const (
	reasonMethodNotAllowed = "method_not_allowed" // a known path, another method: 405 APIGW.0101
	reasonMediaType        = "media_type"         // a JSON operation's body of another type: 415 OSM.0001
)

// osmError is the documented error envelope. error_msg must be a non-empty
// string: the SDK only reads the pair when both are non-empty strings.
type osmError struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// errorClass is one row of the mapping from domain errors to the wire.
type errorClass struct {
	Status int
	Code   string
	EN, ZH string // the documented message, prefixed to the detail
}

// classify maps a domain error to the status, OSM code and documented
// message. See docs/compatibility.md "Errors" for the table and its reasons.
func classify(err error) errorClass {
	switch casebook.ErrorReason(err) {
	case reasonMalformed:
		return errorClass{400, "OSM.0001", "Failed", "失败"}
	case reasonBodyTimeout:
		return errorClass{408, "OSM.0001", "Failed", "失败"}
	case reasonNoAuth, reasonBadToken, reasonExpired, reasonUserBlocked:
		return errorClass{401, "APIGW.0301", "Incorrect IAM authentication information", "IAM认证信息错误"}
	case reasonBadSig, reasonSigDate, reasonUnknownKey, reasonDomain:
		return errorClass{401, "APIGW.0301", "Incorrect IAM authentication information", "IAM认证信息错误"}
	case reasonLoginFailed:
		return errorClass{401, "IAM.0101", "The username or password is wrong.", "用户名或密码错误。"}
	case reasonNoRoute:
		return errorClass{404, "APIGW.0101", "The API does not exist or has not been published in the environment.", "API不存在或未在环境中发布。"}
	case reasonNotImplemented:
		return errorClass{501, "APIGW.0101", "The API is not implemented.", "API未实现。"}
	case reasonMethodNotAllowed:
		return errorClass{405, "APIGW.0101", "The API does not support this method.", "API不支持该请求方法。"}
	case reasonMediaType:
		return errorClass{415, "OSM.0001", "Failed", "失败"}
	case reasonWrongRealm:
		return errorClass{403, "OSM.0003", "Forbidden", "禁止访问"}
	case casebook.ReasonCaseNotFound:
		return errorClass{404, "OSM.01010015", "This case does not exist.", "工单不存在。"}
	case casebook.ReasonBadCaseAction:
		return errorClass{400, "OSM.01010013", "The operation must be canceled or closed or pressed or deleted.", "操作必须是取消、关闭、催单或删除。"}
	case casebook.ReasonBadAuthAction:
		return errorClass{400, "OSM.01010018", "Auth operate type not support.", "不支持的授权操作类型。"}
	case casebook.ReasonLoginThrottled:
		return errorClass{429, "APIGW.0308", "The throttling threshold has been reached.", "已达到流控阈值。"}
	case casebook.ReasonUrgeTooSoon:
		return errorClass{429, "OSM.01010004", "You have asked for the order. Please ask for it later.", "您已催单，请稍后再催。"}
	case casebook.ReasonUploadQuota:
		return errorClass{400, "OSM.01010005", "Uploaded accessory size exceeded limit today.", "今日上传附件大小已超过限制。"}
	case casebook.ReasonSeverityNotFound:
		return errorClass{400, "OSM.01010006", "Severity Id does not exist.", "严重性级别不存在。"}
	case casebook.ReasonRelationLimit:
		return errorClass{400, "OSM.01010043", "same caseId relations should not be over 3", "同一工单的关联不能超过3个"}
	case casebook.ReasonNoPermission:
		return errorClass{403, "OSM.01010002", "No operation permission.", "无操作权限。"}
	case casebook.ReasonLabelUserLimit:
		return errorClass{400, "OSM.01010040", "The number of labels exceeds the limit.", "标签数量超过上限。"}
	case casebook.ReasonLabelCaseLimit:
		return errorClass{400, "OSM.01010041", "The number of labels of the case exceeds the limit.", "工单标签数量超过上限。"}
	case casebook.ReasonLabelNameTaken:
		return errorClass{409, "OSM.01010042", "The label name already exists.", "标签名称已存在。"}
	}
	switch casebook.ErrorCode(err) {
	case casebook.EINVALID:
		return errorClass{400, "OSM.01010001", "Param validation failed.", "参数校验失败。"}
	case casebook.ENOTFOUND:
		return errorClass{404, "OSM.01010001", "Param validation failed.", "参数校验失败。"}
	case casebook.ECONFLICT:
		return errorClass{409, "OSM.01010014", "Operation failed.", "操作失败。"}
	case casebook.EFORBIDDEN:
		return errorClass{403, "OSM.0003", "Forbidden", "禁止访问"}
	case casebook.EUNAUTHORIZED:
		return errorClass{401, "OSM.0002", "Unauthorized", "未授权"}
	case casebook.ELIMIT:
		return errorClass{400, "OSM.01010001", "Param validation failed.", "参数校验失败。"}
	case casebook.EUNAVAILABLE:
		return errorClass{503, "OSM.0004", "Service Unavailable", "服务暂不可用"}
	}
	return errorClass{500, "OSM.0004", "Internal Server Error", "服务器内部错误"}
}

// writeError writes err as the OSM error envelope. Internal errors are
// logged with their detail and shown only as the generic message; domain
// messages are English and appended to the documented message, which is
// localised by X-Language.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	info := requestInfoFrom(r.Context())
	class := classify(err)
	info.ErrorCode = class.Code
	msg := class.EN
	if info.Lang == "zh-cn" {
		msg = class.ZH
	}
	var e *casebook.Error
	if errors.As(err, &e) {
		if e.Message != "" {
			msg += " " + e.Message
		}
	} else if r.Context().Err() != nil {
		// The client closed the connection mid-request, so the store's
		// work was cancelled ("context canceled", or a transaction already
		// rolled back when Commit came): not a server fault, and nobody
		// reads an answer. The request line logs it as 499, at info.
		info.ClientClosed = true
		info.ErrorCode = ""
		return
	} else {
		s.Logger.Error("internal error", "request_id", info.ID, "op", info.Op, "err", err)
	}
	if class.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `SDK-HMAC-SHA256, X-Auth-Token`)
	}
	if isIAMPath(r.URL.Path) {
		writeJSON(w, class.Status, iamError{ErrorCode: class.Code, ErrorMsg: msg,
			Error: keystoneError{Code: class.Status, Message: msg, Title: http.StatusText(class.Status)}})
		return
	}
	writeJSON(w, class.Status, osmError{ErrorCode: class.Code, ErrorMsg: msg})
}

// iamError is the error body of the IAM subset (/v3/..., /v3.0/...): the
// OSM pair, which the Huawei SDK reads, plus the Keystone error object that
// OpenStack-style clients read.
type iamError struct {
	ErrorCode string        `json:"error_code"`
	ErrorMsg  string        `json:"error_msg"`
	Error     keystoneError `json:"error"`
}

type keystoneError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

// isIAMPath reports whether path belongs to the IAM subset.
func isIAMPath(path string) bool {
	return strings.HasPrefix(path, "/v3/") || strings.HasPrefix(path, "/v3.0/")
}

// malformed returns the error for a body or query that cannot be parsed.
func malformed(format string, args ...any) error {
	return casebook.Errorf(casebook.EINVALID, format, args...).WithReason(reasonMalformed)
}
