package http

import (
	"net/http"

	"github.com/casebook/casebook"
)

// The conversation feed: ListNewInstantMessages, ListMoreInstantMessages,
// ListUnreadNewInstantMessages, UpdateNewInstantMessagesRead and
// RevokeMessage. A ticket id outside the caller's view, in a path or in
// case_ids, answers like a ticket that does not exist (hideCaseDenial):
// one such id in case_ids refuses the whole poll.

// feedRequest is the query of the two polls.
type feedRequest struct {
	CaseIDs []string `query:"case_ids,comma"`
	GroupID string   `query:"group_id"`
}

// imStatus is ImStatusV2 (and, with unread_num, ImUnreadV2).
type imStatus struct {
	IncidentID string `json:"incident_id"`
	Status     int    `json:"status"`
}

type imUnread struct {
	IncidentID string `json:"incident_id"`
	Status     int    `json:"status"`
	UnreadNum  int    `json:"unread_num"`
}

// imMessages is UserInstantIncidentMsgV2: one ticket's new messages.
type imMessages struct {
	IncidentID  string        `json:"incident_id"`
	MessageList []messageInfo `json:"message_list"`
}

type newInstantMessagesResponse struct {
	Imstatus          []imStatus   `json:"imstatus"`
	Immsg             []imMessages `json:"immsg"`
	LastMessageTimeID string       `json:"last_message_time_id"`
}

// handleListNewInstantMessages is ListNewInstantMessages: the messages of
// the tickets after last_message_time_id (from the first message without
// one), at most casebook.MaxFeedMessages, grouped by ticket, and the
// cursor to poll with next.
func (s *Server) handleListNewInstantMessages(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		feedRequest
		Cursor string `query:"last_message_time_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	var after casebook.FeedCursor
	if req.Cursor != "" {
		var err error
		if after, err = casebook.ParseFeedCursor("last_message_time_id", req.Cursor); err != nil {
			return err
		}
	}
	feed, err := s.Service.NewMessages(r.Context(), principal(r), req.GroupID, req.CaseIDs, after)
	if err != nil {
		return hideCaseDenial(err)
	}
	resp := newInstantMessagesResponse{
		Imstatus:          make([]imStatus, 0, len(feed.Cases)),
		Immsg:             []imMessages{},
		LastMessageTimeID: feed.Cursor.String(),
	}
	index := map[string]int{}
	for _, c := range feed.Cases {
		resp.Imstatus = append(resp.Imstatus, imStatus{IncidentID: c.CaseID, Status: c.Status})
	}
	for _, m := range feed.Messages {
		i, ok := index[m.CaseID]
		if !ok {
			i = len(resp.Immsg)
			index[m.CaseID] = i
			resp.Immsg = append(resp.Immsg, imMessages{IncidentID: m.CaseID, MessageList: []messageInfo{}})
		}
		resp.Immsg[i].MessageList = append(resp.Immsg[i].MessageList, toMessageInfo(m))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleListMoreInstantMessages is ListMoreInstantMessages: up to limit
// messages older than create_time (epoch milliseconds, or a time as
// ListCases' filters take it), oldest first. type is the type of the
// message at create_time the caller already has (0 or 1); messages of the
// other type at that same millisecond are included.
func (s *Server) handleListMoreInstantMessages(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		caseRequest
		CreateTime string `query:"create_time"`
		Type       *int   `query:"type" min:"0" max:"1"`
		Limit      *int   `query:"limit" min:"0" max:"MaxPageLimit"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := casebook.CheckLength("create_time", req.CreateTime, 1, casebook.MaxCreateTimeLength); err != nil {
		return err
	}
	before, err := queryTime("create_time", req.CreateTime, requestInfoFrom(r.Context()).Location, false)
	if err != nil {
		return err
	}
	if req.Type == nil {
		return casebook.Invalidf("type", "type is required: 0 (customer message) or 1 (engineer message).")
	} else if req.Limit == nil {
		return casebook.Invalidf("limit", "limit is required: 0 to %d.", casebook.MaxPageLimit)
	}
	msgs, err := s.Service.OlderMessages(r.Context(), principal(r), req.GroupID, req.CaseID, *before, *req.Type, *req.Limit)
	if err != nil {
		return hideCaseDenial(err)
	}
	resp := listMessagesResponse{Count: len(msgs), MessageList: wireAll(msgs, toMessageInfo)}
	return writeJSON(w, http.StatusOK, resp)
}

// handleListUnreadNewInstantMessages is ListUnreadNewInstantMessages: per
// ticket, its status and the messages of others after the caller's read
// marker.
func (s *Server) handleListUnreadNewInstantMessages(w http.ResponseWriter, r *http.Request) error {
	var req feedRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	states, err := s.Service.UnreadCounts(r.Context(), principal(r), req.GroupID, req.CaseIDs)
	if err != nil {
		return hideCaseDenial(err)
	}
	list := wireAll(states, func(st casebook.CaseState) imUnread {
		return imUnread{IncidentID: st.CaseID, Status: st.Status, UnreadNum: st.Unread}
	})
	return writeJSON(w, http.StatusOK, map[string][]imUnread{"imunread": list})
}

// handleUpdateNewInstantMessagesRead is UpdateNewInstantMessagesRead: the
// caller has read the ticket up to its newest message. group_id in the
// body (SDK) or the query.
func (s *Server) handleUpdateNewInstantMessagesRead(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		caseRequest
		Body struct {
			GroupID string `json:"group_id"`
		} `body:"json"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	groupID := groupIDOf(req.Body.GroupID, req.GroupID)
	if err := s.Service.MarkRead(r.Context(), principal(r), groupID, req.CaseID); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// handleRevokeMessage is RevokeMessage: the caller withdraws their own
// message within casebook.MessageRevokeWindow. message_id is the message's
// id (message_id in the message lists) or its create_time in epoch
// milliseconds, since the SDK's message model has no id.
func (s *Server) handleRevokeMessage(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		caseRequest
		MessageID string `path:"message_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.Service.RevokeMessage(r.Context(), principal(r), req.GroupID, req.CaseID, req.MessageID); err != nil {
		return hideCaseDenial(err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}
