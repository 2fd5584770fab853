package http

import (
	"net/http"
	"strconv"

	"github.com/casebook/casebook"
)

// incidentOperateLog is IncidentOperateLogV2. operator_type: 0 customer,
// 1 support engineer, 2 Casebook itself (e.g. an authorization's expiry).
type incidentOperateLog struct {
	IncidentLogID        string `json:"incident_log_id"`
	IncidentID           string `json:"incident_id"`
	OperateType          int    `json:"operate_type"`
	OperatorType         int    `json:"operator_type"`
	OperatorID           string `json:"operator_id"`
	OperatorName         string `json:"operator_name"`
	OperateDesc          string `json:"operate_desc"`
	OperateTime          string `json:"operate_time"`
	TimestampOperateTime string `json:"timestamp_operate_time"`
}

// Operator types of the operation log.
const (
	operatorCustomer = 0
	operatorEngineer = 1
	operatorSystem   = 2
)

func operatorType(realm casebook.Realm) int {
	switch realm {
	case casebook.RealmCustomer:
		return operatorCustomer
	case casebook.RealmEngineer:
		return operatorEngineer
	}
	return operatorSystem
}

// operateTimeLayout is operate_time: a plain string of undocumented
// format, written in the caller's X-Time-Zone as ListCases' filters read
// times; timestamp_operate_time carries the exact UTC time.
const operateTimeLayout = "2006-01-02 15:04:05"

// handleListCaseOperateLogs is ListCaseOperateLogs: the ticket's history,
// oldest first, described in the caller's X-Language.
func (s *Server) handleListCaseOperateLogs(w http.ResponseWriter, r *http.Request) error {
	var req casePageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	events, total, err := s.Service.CaseLog(r.Context(), principal(r), req.GroupID, req.CaseID, req.Offset, req.Limit)
	if err != nil {
		return hideCaseDenial(err)
	}
	info := requestInfoFrom(r.Context())
	list := make([]incidentOperateLog, 0, len(events))
	for _, e := range events {
		list = append(list, incidentOperateLog{
			IncidentLogID:        strconv.FormatInt(e.ID, 10),
			IncidentID:           e.CaseID,
			OperateType:          e.Kind,
			OperatorType:         operatorType(e.ActorRealm),
			OperatorID:           e.ActorID,
			OperatorName:         e.ActorName,
			OperateDesc:          casebook.CaseEventText(e, info.Lang),
			OperateTime:          e.At.In(info.Location).Format(operateTimeLayout),
			TimestampOperateTime: formatTime(e.At),
		})
	}
	return writeJSON(w, http.StatusOK, struct {
		TotalCount int                  `json:"total_count"`
		List       []incidentOperateLog `json:"incident_operate_log_list"`
	}{min(total, casebook.MaxCaseTotal), list})
}
