package http

import (
	"net/http"
)

// operation is one entry of the operation table: one of the official SDK's
// 82 OSM operations (../shared/spec/endpoints.md), implemented or not, or
// one of Casebook's own routes (health checks, the IAM subset, the support
// API, documents, signed file links).
type operation struct {
	Name   string // the SDK operation name; Casebook's own name for its own routes
	Method string
	Path   string // net/http pattern path, e.g. /v2/servicerequest/cases/{case_id}
	Auth   authMode
	// Handle serves the operation; nil when Casebook does not implement it.
	Handle func(*Server, http.ResponseWriter, *http.Request) error
	// Missing says why Casebook does not implement the operation (shown in
	// docs/sdk-compatibility.md); "" exactly when Handle is set.
	Missing string
}

// Why operations are not implemented.
const (
	missingOutsideScope = "outside the ticket lifecycle Casebook implements"
	missingPartners     = "partner, agency and sub-customer accounts are not modelled"
	missingSessions     = "Casebook does not record the sessions of granted access"
	missingPrivileges   = "rights come from accounts, users and groups; ticket privileges are not modelled"
	missingAgreements   = "no service agreements are published"
	missingVerification = "contact verification needs SMS or e-mail delivery, which Casebook does not have"
	missingDiagnosis    = "one-click diagnosis inspects Huawei Cloud resources"
)

// operations is the operation table: the routes, the 501 answers, the
// OpenAPI document (openapi_test.go) and docs/sdk-compatibility.md
// (operations_test.go) all follow it. Adding an operation is one line here
// plus its handler.
var operations = []operation{
	// Casebook's own routes.
	{"Healthz", "GET", "/healthz", authNone, (*Server).handleHealthz, ""},
	{"Readyz", "GET", "/readyz", authNone, (*Server).handleReadyz, ""},
	{"GetOpenAPIDocument", "GET", "/openapi.yaml", authNone, (*Server).handleOpenAPI, ""},
	{"DownloadLink", "GET", "/files/{accessory_id}", authNone, (*Server).handleDownloadLink, ""},

	// The IAM subset.
	{"KeystoneCreateUserTokenByPassword", "POST", "/v3/auth/tokens", authNone, (*Server).handleIssueToken, ""},
	{"KeystoneValidateToken", "GET", "/v3/auth/tokens", authNone, (*Server).handleValidateToken, ""},
	{"KeystoneCheckToken", "HEAD", "/v3/auth/tokens", authNone, (*Server).handleValidateToken, ""},
	{"KeystoneListAuthDomains", "GET", "/v3/auth/domains", authCustomer, (*Server).handleListAuthDomains, ""},
	{"CreatePermanentAccessKey", "POST", "/v3.0/OS-CREDENTIAL/credentials", authCustomer, (*Server).handleCreateCredential, ""},
	{"ListPermanentAccessKeys", "GET", "/v3.0/OS-CREDENTIAL/credentials", authCustomer, (*Server).handleListCredentials, ""},
	{"ShowPermanentAccessKey", "GET", "/v3.0/OS-CREDENTIAL/credentials/{access_key}", authCustomer, (*Server).handleShowCredential, ""},
	{"UpdatePermanentAccessKey", "PUT", "/v3.0/OS-CREDENTIAL/credentials/{access_key}", authCustomer, (*Server).handleUpdateCredential, ""},
	{"DeletePermanentAccessKey", "DELETE", "/v3.0/OS-CREDENTIAL/credentials/{access_key}", authCustomer, (*Server).handleDeleteCredential, ""},
	{"CreateTemporaryAccessKeyByToken", "POST", "/v3.0/OS-CREDENTIAL/securitytokens", authCustomer, (*Server).handleCreateSecurityToken, ""},

	// The support engineers' API (docs/support-api.md).
	{"IssueEngineerToken", "POST", "/support/v1/auth/tokens", authNone, (*Server).handleIssueEngineerToken, ""},
	{"SupportListCases", "GET", "/support/v1/cases", authEngineer, (*Server).handleSupportListCases, ""},
	{"SupportShowCase", "GET", "/support/v1/cases/{case_id}", authEngineer, (*Server).handleSupportShowCase, ""},
	{"SupportTakeCase", "POST", "/support/v1/cases/{case_id}/take", authEngineer, (*Server).handleSupportTakeCase, ""},
	{"SupportSetCaseStatus", "PUT", "/support/v1/cases/{case_id}/status", authEngineer, (*Server).handleSupportSetCaseStatus, ""},
	{"SupportCreateMessage", "POST", "/support/v1/cases/{case_id}/messages", authEngineer, (*Server).handleSupportCreateMessage, ""},
	{"SupportRequestAuthorization", "POST", "/support/v1/cases/{case_id}/authorizations", authEngineer, (*Server).handleSupportRequestAuthorization, ""},
	{"SupportListAuthorizations", "GET", "/support/v1/authorizations", authEngineer, (*Server).handleSupportListAuthorizations, ""},
	{"SupportShowAuthorization", "GET", "/support/v1/authorizations/{authorization_id}", authEngineer, (*Server).handleSupportShowAuthorization, ""},
	{"SupportWithdrawAuthorization", "POST", "/support/v1/authorizations/{authorization_id}/withdraw", authEngineer, (*Server).handleSupportWithdrawAuthorization, ""},
	{"SupportReadCredentials", "GET", "/support/v1/authorizations/{authorization_id}/credentials", authEngineer, (*Server).handleSupportReadCredentials, ""},
	{"SupportListAudit", "GET", "/support/v1/audit", authEngineer, (*Server).handleSupportListAudit, ""},
	{"SupportListWebhooks", "GET", "/support/v1/webhooks", authEngineer, (*Server).handleSupportListWebhooks, ""},
	{"SupportCreateWebhook", "POST", "/support/v1/webhooks", authEngineer, (*Server).handleSupportCreateWebhook, ""},
	{"SupportDeleteWebhook", "DELETE", "/support/v1/webhooks/{webhook_id}", authEngineer, (*Server).handleSupportDeleteWebhook, ""},
	{"SupportListDeliveries", "GET", "/support/v1/webhooks/{webhook_id}/deliveries", authEngineer, (*Server).handleSupportListDeliveries, ""},
	{"SupportRedeliver", "POST", "/support/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", authEngineer, (*Server).handleSupportRedeliver, ""},

	// OSM: cases.
	{"CreateCases", "POST", "/v2/servicerequest/cases", authCustomer, (*Server).handleCreateCases, ""},
	{"ListCases", "GET", "/v2/servicerequest/cases", authCustomer, (*Server).handleListCases, ""},
	{"ShowCaseDetail", "GET", "/v2/servicerequest/cases/{case_id}", authCustomer, (*Server).handleShowCaseDetail, ""},
	{"ShowCaseStatus", "GET", "/v2/servicerequest/cases/{case_id}/status", authCustomer, (*Server).handleShowCaseStatus, ""},
	{"UpdateCases", "POST", "/v2/servicerequest/cases/{case_id}/action", authCustomer, (*Server).handleUpdateCases, ""},
	{"DownloadCases", "GET", "/v2/servicerequest/cases/export", authCustomer, (*Server).handleDownloadCases, ""},
	{"ListCaseCounts", "GET", "/v2/servicerequest/cases/count", authCustomer, (*Server).handleListCaseCounts, ""},
	{"ListOrderIncident", "GET", "/osm/incidentservice/api/v1/queryincident", authCustomer, (*Server).handleListOrderIncident, ""},
	{"UpdateCaseContactInfo", "PUT", "/v2/servicerequest/cases/{case_id}/contact-info", authCustomer, (*Server).handleUpdateCaseContactInfo, ""},
	{"CreateCaseExtendsParam", "POST", "/v2/servicerequest/cases/{case_id}/extends-param", authCustomer, (*Server).handleCreateCaseExtendsParam, ""},
	{"ShowCaseExtendsParam", "GET", "/v2/servicerequest/cases/{case_id}/extends-param", authCustomer, (*Server).handleShowCaseExtendsParam, ""},
	{"CreateScores", "POST", "/v2/servicerequest/cases/{case_id}/score", authCustomer, (*Server).handleCreateScores, ""},
	{"ListCaseCcEmails", "GET", "/v2/servicerequest/carbon-copy-emails", authCustomer, (*Server).handleListCaseCcEmails, ""},
	{"ListCaseOperateLogs", "GET", "/v2/servicerequest/cases/{case_id}/operate-logs", authCustomer, (*Server).handleListCaseOperateLogs, ""},
	{"ListCaseQuotas", "GET", "/v2/servicerequest/quotas", authCustomer, (*Server).handleListCaseQuotas, ""},
	{"ListCustomersRegions", "GET", "/v2/servicerequest/customers/regions", authCustomer, (*Server).handleListCustomersRegions, ""},
	{"ListSubCustomers", "GET", "/v2/servicerequest/customers/sub-customers", authNone, nil, missingPartners},
	{"ListAgencies", "GET", "/v2/servicerequest/agencies", authNone, nil, missingPartners},
	{"ShowPartnersCasesPrivilege", "GET", "/v2/servicerequest/cases/partners/privilege/cases-processing", authNone, nil, missingPartners},
	{"ShowPartnersServiceInfo", "GET", "/v2/servicerequest/cases/partners/service-info", authNone, nil, missingPartners},

	// OSM: messages.
	{"CreateMessages", "POST", "/v2/servicerequest/cases/{case_id}/message", authCustomer, (*Server).handleCreateMessages, ""},
	{"ListMessages", "GET", "/v2/servicerequest/cases/{case_id}/messages", authCustomer, (*Server).handleListMessages, ""},
	{"ListMoreInstantMessages", "GET", "/v2/servicerequest/cases/{case_id}/instant-messages/more", authCustomer, (*Server).handleListMoreInstantMessages, ""},
	{"ListNewInstantMessages", "GET", "/v2/servicerequest/cases/instant-messages", authCustomer, (*Server).handleListNewInstantMessages, ""},
	{"ListUnreadNewInstantMessages", "GET", "/v2/servicerequest/cases/instant-messages/unread", authCustomer, (*Server).handleListUnreadNewInstantMessages, ""},
	{"UpdateNewInstantMessagesRead", "POST", "/v2/servicerequest/cases/{case_id}/instant-messages/unread", authCustomer, (*Server).handleUpdateNewInstantMessagesRead, ""},
	{"RevokeMessage", "POST", "/v2/servicerequest/cases/{case_id}/instant-messages/{message_id}/withdraw", authCustomer, (*Server).handleRevokeMessage, ""},

	// OSM: attachments.
	{"UploadAccessory", "POST", "/v2/servicerequest/accessorys", authCustomer, (*Server).handleUploadAccessory, ""},
	{"UploadJsonAccessories", "POST", "/v2/servicerequest/accessorys/json-format-content", authCustomer, (*Server).handleUploadJsonAccessories, ""},
	{"DownloadAccessories", "GET", "/v2/servicerequest/accessorys/{accessory_id}", authCustomer, (*Server).handleDownloadAccessories, ""},
	{"DeleteAccessories", "DELETE", "/v2/servicerequest/accessorys/{accessory_id}", authCustomer, (*Server).handleDeleteAccessories, ""},
	{"DownloadImages", "GET", "/v2/servicerequest/accessorys/{accessory_id}/image", authCustomer, (*Server).handleDownloadImages, ""},
	{"ShowDownloadAccessoryUrl", "GET", "/v2/servicerequest/accessorys/{accessory_id}/access-url", authCustomer, (*Server).handleShowDownloadAccessoryUrl, ""},
	{"ListAccessoryAccessUrls", "GET", "/v2/servicerequest/accessorys/access-urls", authCustomer, (*Server).handleListAccessoryAccessUrls, ""},
	{"ShowAccessoryLimits", "GET", "/v2/servicerequest/accessorys/limits", authCustomer, (*Server).handleShowAccessoryLimits, ""},

	// OSM: authorizations.
	{"ListAuthorizations", "GET", "/v2/servicerequest/authorizations", authCustomer, (*Server).handleListAuthorizations, ""},
	{"ShowAuthorizationDetail", "GET", "/v2/servicerequest/authorizations/{authorization_id}", authCustomer, (*Server).handleShowAuthorizationDetail, ""},
	{"ConfirmAuthorizations", "PUT", "/v2/servicerequest/authorizations/{authorization_id}", authCustomer, (*Server).handleConfirmAuthorizations, ""},
	{"UpdateAuthorizations", "PUT", "/v2/servicerequest/authorizations/{authorization_id}/action", authCustomer, (*Server).handleUpdateAuthorizations, ""},
	{"CheckHosts", "POST", "/v2/servicerequest/authorizations/authorization-details/{authorization_detail_id}/verify-host", authNone, nil, missingSessions},
	{"ShowLoginType", "GET", "/v2/servicerequest/authorizations/login-type", authNone, nil, missingSessions},
	{"ListHistorySessions", "GET", "/v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/history-sessions", authNone, nil, missingSessions},
	{"ListHistoryOperateLogs", "GET", "/v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/sessions/{session_id}/operation-logs", authNone, nil, missingSessions},
	{"ListTransportHistories", "GET", "/v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/sessions/{session_id}/operation-file-logs", authNone, nil, missingSessions},

	// OSM: relations.
	{"CreateRelations", "POST", "/v2/servicerequest/cases/{case_id}/relations", authCustomer, (*Server).handleCreateRelations, ""},
	{"ListRelation", "GET", "/v2/servicerequest/cases/{case_id}/relations", authCustomer, (*Server).handleListRelation, ""},
	{"DeleteRelation", "DELETE", "/v2/servicerequest/cases/{case_id}/relations", authCustomer, (*Server).handleDeleteRelation, ""},

	// OSM: labels.
	{"CreateLabels", "POST", "/v2/servicerequest/labels", authCustomer, (*Server).handleCreateLabels, ""},
	{"ListLabels", "GET", "/v2/servicerequest/labels", authCustomer, (*Server).handleListLabels, ""},
	{"UpdateLabels", "PUT", "/v2/servicerequest/labels/{label_id}", authCustomer, (*Server).handleUpdateLabels, ""},
	{"DeleteLabels", "DELETE", "/v2/servicerequest/labels/{label_id}", authCustomer, (*Server).handleDeleteLabels, ""},
	{"CreateCaseLabels", "POST", "/v2/servicerequest/cases/{case_id}/labels", authCustomer, (*Server).handleCreateCaseLabels, ""},
	{"ListCaseLabels", "GET", "/v2/servicerequest/cases/{case_id}/labels", authCustomer, (*Server).handleListCaseLabels, ""},
	{"DeleteCaseLabels", "DELETE", "/v2/servicerequest/cases/{case_id}/labels", authCustomer, (*Server).handleDeleteCaseLabels, ""},

	// OSM: configuration and dictionaries.
	{"ListAreaCodes", "GET", "/v2/servicerequest/config/area-codes", authCustomer, (*Server).handleListAreaCodes, ""},
	{"ListCaseCategories", "GET", "/v2/servicerequest/config/categories", authCustomer, (*Server).handleListCaseCategories, ""},
	{"ListProductCategories", "GET", "/v2/servicerequest/config/product-categories", authCustomer, (*Server).handleListProductCategories, ""},
	{"ListProblemTypes", "GET", "/v2/servicerequest/config/problems", authCustomer, (*Server).handleListProblemTypes, ""},
	{"ListExtendsParams", "GET", "/v2/servicerequest/config/extends-map", authCustomer, (*Server).handleListExtendsParams, ""},
	{"ListCaseTemplates", "GET", "/v2/servicerequest/config/templates", authCustomer, (*Server).handleListCaseTemplates, ""},
	{"ListRegions", "GET", "/v2/servicerequest/config/regions", authCustomer, (*Server).handleListRegions, ""},
	{"ListSeverities", "GET", "/v2/servicerequest/config/severities", authCustomer, (*Server).handleListSeverities, ""},
	{"ListSatisfactionDimensions", "GET", "/v2/servicerequest/config/satisfaction-dimensions", authCustomer, (*Server).handleListSatisfactionDimensions, ""},
	{"ListCaseLimits", "GET", "/v2/servicerequest/config/limits", authCustomer, (*Server).handleListCaseLimits, ""},
	{"ShowConfiguration", "GET", "/v2/servicerequest/configurations/{config_key}", authCustomer, (*Server).handleShowConfiguration, ""},

	// OSM: privileges.
	{"CreatePrivileges", "POST", "/v2/servicerequest/privileges", authNone, nil, missingPrivileges},
	{"ListPrivileges", "GET", "/v2/servicerequest/privileges", authNone, nil, missingPrivileges},
	{"ShowCustomerPrivilegePolicy", "GET", "/v2/servicerequest/privileges/privilege-policy", authNone, nil, missingPrivileges},

	// OSM: agreements.
	{"ShowLatestPublishedAgreement", "GET", "/v2/servicerequest/agreements/published-agreement", authNone, nil, missingAgreements},
	{"ShowSignedLatestPublishedAgreement", "GET", "/v2/servicerequest/agreements/signed-latest", authNone, nil, missingAgreements},
	{"SignPublishedAgreement", "POST", "/v2/servicerequest/agreements/{id}/signed", authNone, nil, missingAgreements},

	// OSM: verification codes.
	{"SendVerifyCodes", "POST", "/v2/servicerequest/verifycodes/send", authNone, nil, missingVerification},
	{"CheckVerifyCodes", "POST", "/v2/servicerequest/verifycodes", authNone, nil, missingVerification},
	{"CheckNeedVerify", "GET", "/v2/servicerequest/verifycodes/need-verify", authNone, nil, missingVerification},
	{"ListHasVerifiedContacts", "GET", "/v2/servicerequest/verifycodes/has-verified", authNone, nil, missingVerification},

	// OSM: one-click diagnosis.
	{"CreateDiagnoseJob", "POST", "/v2.0/servicerequest/diagnose/job/start", authNone, nil, missingDiagnosis},
	{"ListDiagnoseJob", "GET", "/v2.0/servicerequest/diagnose/job", authNone, nil, missingDiagnosis},
	{"ListDiagnoseItems", "POST", "/v2.0/servicerequest/diagnose/job/show-items", authNone, nil, missingDiagnosis},
	{"ListDiagnoseRecords", "GET", "/v2.0/servicerequest/diagnose/records", authNone, nil, missingDiagnosis},
	{"ListDiagnoseResources", "POST", "/v2.0/servicerequest/diagnose/job/vm/resources", authNone, nil, missingDiagnosis},
	{"CreateDiagnoseFeedback", "POST", "/v2.0/servicerequest/diagnose/feedback", authNone, nil, missingDiagnosis},

	// OSM: feedback.
	{"CreateFeedback", "POST", "/v2/servicerequest/feedbacks", authNone, nil, missingOutsideScope},
}

// multipartOperations take a multipart/form-data body and refuse any other
// themselves (400); the body of every other operation is JSON. The SDK has
// one (endpoints.md); openapi_test.go checks the document's request bodies
// against this.
var multipartOperations = map[string]bool{"UploadAccessory": true}

// route binds op to s: its handler, or the 501 answer naming it. The
// unimplemented operations are routed too, so that a client gets a clear
// 501 instead of falling through to a neighbouring route: GET
// /v2/servicerequest/cases/count would otherwise be read as ShowCaseDetail
// of a ticket called "count".
func (s *Server) route(op operation) route {
	rt := route{Method: op.Method, Pattern: op.Path, Op: op.Name, Auth: op.Auth}
	if op.Handle == nil {
		rt.Handle = s.handleUnimplemented(op.Name)
		return rt
	}
	multipart := multipartOperations[op.Name]
	rt.Handle = func(w http.ResponseWriter, r *http.Request) error {
		if !multipart {
			if err := checkJSONContentType(r); err != nil {
				return err
			}
		}
		return op.Handle(s, w, r)
	}
	return rt
}
