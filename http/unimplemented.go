package http

import (
	"net/http"
	"strings"

	"github.com/casebook/casebook"
)

// unimplementedOperations are the OSM v2 operations of the official SDK
// (../shared/spec/endpoints.md) that Casebook does not implement, as
// "METHOD path operation". They are routed so that a client gets a clear
// 501 naming the operation instead of falling through to a neighbouring
// route: GET /v2/servicerequest/cases/count would otherwise be read as
// ShowCaseDetail of a ticket called "count". They are not part of the
// served API (routes(), openapi.yaml); docs/sdk-compatibility.md lists them.
var unimplementedOperations = []string{
	"GET /v2/servicerequest/cases/export DownloadCases",
	"GET /v2/servicerequest/cases/count ListCaseCounts",
	"GET /osm/incidentservice/api/v1/queryincident ListOrderIncident",
	"PUT /v2/servicerequest/cases/{case_id}/contact-info UpdateCaseContactInfo",
	"POST /v2/servicerequest/cases/{case_id}/extends-param CreateCaseExtendsParam",
	"GET /v2/servicerequest/cases/{case_id}/extends-param ShowCaseExtendsParam",
	"POST /v2/servicerequest/cases/{case_id}/score CreateScores",
	"GET /v2/servicerequest/carbon-copy-emails ListCaseCcEmails",
	"GET /v2/servicerequest/cases/{case_id}/operate-logs ListCaseOperateLogs",
	"GET /v2/servicerequest/quotas ListCaseQuotas",
	"GET /v2/servicerequest/customers/regions ListCustomersRegions",
	"GET /v2/servicerequest/customers/sub-customers ListSubCustomers",
	"GET /v2/servicerequest/agencies ListAgencies",
	"GET /v2/servicerequest/cases/partners/privilege/cases-processing ShowPartnersCasesPrivilege",
	"GET /v2/servicerequest/cases/partners/service-info ShowPartnersServiceInfo",
	"GET /v2/servicerequest/cases/{case_id}/instant-messages/more ListMoreInstantMessages",
	"GET /v2/servicerequest/cases/instant-messages ListNewInstantMessages",
	"GET /v2/servicerequest/cases/instant-messages/unread ListUnreadNewInstantMessages",
	"POST /v2/servicerequest/cases/{case_id}/instant-messages/unread UpdateNewInstantMessagesRead",
	"POST /v2/servicerequest/cases/{case_id}/instant-messages/{message_id}/withdraw RevokeMessage",
	"POST /v2/servicerequest/accessorys/json-format-content UploadJsonAccessories",
	"GET /v2/servicerequest/accessorys/{accessory_id}/image DownloadImages",
	"GET /v2/servicerequest/accessorys/{accessory_id}/access-url ShowDownloadAccessoryUrl",
	"POST /v2/servicerequest/authorizations/authorization-details/{authorization_detail_id}/verify-host CheckHosts",
	"GET /v2/servicerequest/authorizations/login-type ShowLoginType",
	"GET /v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/history-sessions ListHistorySessions",
	"GET /v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/sessions/{session_id}/operation-logs ListHistoryOperateLogs",
	"GET /v2/servicerequest/authorizations/{authorization_id}/authorization-details/{authorization_detail_id}/sessions/{session_id}/operation-file-logs ListTransportHistories",
	"POST /v2/servicerequest/labels CreateLabels",
	"GET /v2/servicerequest/labels ListLabels",
	"PUT /v2/servicerequest/labels/{label_id} UpdateLabels",
	"DELETE /v2/servicerequest/labels/{label_id} DeleteLabels",
	"POST /v2/servicerequest/cases/{case_id}/labels CreateCaseLabels",
	"GET /v2/servicerequest/cases/{case_id}/labels ListCaseLabels",
	"DELETE /v2/servicerequest/cases/{case_id}/labels DeleteCaseLabels",
	"GET /v2/servicerequest/config/area-codes ListAreaCodes",
	"GET /v2/servicerequest/config/categories ListCaseCategories",
	"GET /v2/servicerequest/config/product-categories ListProductCategories",
	"GET /v2/servicerequest/config/problems ListProblemTypes",
	"GET /v2/servicerequest/config/extends-map ListExtendsParams",
	"GET /v2/servicerequest/config/templates ListCaseTemplates",
	"GET /v2/servicerequest/config/regions ListRegions",
	"GET /v2/servicerequest/config/severities ListSeverities",
	"GET /v2/servicerequest/config/satisfaction-dimensions ListSatisfactionDimensions",
	"GET /v2/servicerequest/config/limits ListCaseLimits",
	"GET /v2/servicerequest/configurations/{config_key} ShowConfiguration",
	"POST /v2/servicerequest/privileges CreatePrivileges",
	"GET /v2/servicerequest/privileges ListPrivileges",
	"GET /v2/servicerequest/privileges/privilege-policy ShowCustomerPrivilegePolicy",
	"GET /v2/servicerequest/agreements/published-agreement ShowLatestPublishedAgreement",
	"GET /v2/servicerequest/agreements/signed-latest ShowSignedLatestPublishedAgreement",
	"POST /v2/servicerequest/agreements/{id}/signed SignPublishedAgreement",
	"POST /v2/servicerequest/verifycodes/send SendVerifyCodes",
	"POST /v2/servicerequest/verifycodes CheckVerifyCodes",
	"GET /v2/servicerequest/verifycodes/need-verify CheckNeedVerify",
	"GET /v2/servicerequest/verifycodes/has-verified ListHasVerifiedContacts",
	"POST /v2.0/servicerequest/diagnose/job/start CreateDiagnoseJob",
	"GET /v2.0/servicerequest/diagnose/job ListDiagnoseJob",
	"POST /v2.0/servicerequest/diagnose/job/show-items ListDiagnoseItems",
	"GET /v2.0/servicerequest/diagnose/records ListDiagnoseRecords",
	"POST /v2.0/servicerequest/diagnose/job/vm/resources ListDiagnoseResources",
	"POST /v2.0/servicerequest/diagnose/feedback CreateDiagnoseFeedback",
	"POST /v2/servicerequest/feedbacks CreateFeedback",
}

// handleUnimplemented answers an operation Casebook does not implement.
func (s *Server) handleUnimplemented(op string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return casebook.Errorf(casebook.EINVALID, "Casebook does not implement %s; see docs/sdk-compatibility.md.", op).WithReason(reasonNotImplemented)
	}
}

// unimplementedRoutes turns unimplementedOperations into routes.
func (s *Server) unimplementedRoutes() []route {
	rs := make([]route, 0, len(unimplementedOperations))
	for _, entry := range unimplementedOperations {
		f := strings.Fields(entry)
		rs = append(rs, route{Method: f[0], Pattern: f[1], Op: f[2], Auth: authNone, Handle: s.handleUnimplemented(f[2])})
	}
	return rs
}
