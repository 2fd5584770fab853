package casebook

// The names of the ticket and authorization statuses, in both languages:
// the one table the mails, the ticket export and the console show. A
// status Casebook never sets (Huawei also documents 5, paused, and 12,
// invalid) has no name and is shown as its number.
var (
	caseStatusNames = map[int][2]string{ // en-us, zh-cn
		CaseStatusPendingAcceptance: {"Pending acceptance", "待受理"},
		CaseStatusProcessing:        {"Processing", "处理中"},
		CaseStatusPendingConfirm:    {"Pending confirmation", "待确认结果"},
		CaseStatusCompleted:         {"Completed", "已完成"},
		CaseStatusCancelled:         {"Cancelled", "已撤销"},
		CaseStatusDeleted:           {"Deleted", "已删除"},
		CaseStatusPendingFeedback:   {"Pending feedback", "待反馈"},
	}
	authStatusNames = map[int][2]string{
		AuthStatusPending:    {"Pending", "待授权"},
		AuthStatusAuthorized: {"Authorized", "已授权"},
		AuthStatusRejected:   {"Rejected", "已拒绝"},
		AuthStatusExpired:    {"Expired", "已过期"},
		AuthStatusWithdrawn:  {"Withdrawn", "已撤回"},
		AuthStatusCancelled:  {"Revoked", "已取消"}, // the customer revoked it
	}
)

// CaseStatusName returns the name of a ticket status in lang (see
// NormalizeLanguage), and false for a status without one.
func CaseStatusName(status int, lang string) (string, bool) {
	return statusName(caseStatusNames, status, lang)
}

// AuthStatusName returns the name of an authorization status in lang, and
// false for a status without one.
func AuthStatusName(status int, lang string) (string, bool) {
	return statusName(authStatusNames, status, lang)
}

// CaseStatuses and AuthStatuses list the statuses that have names.
func CaseStatuses() []int { return statusKeys(caseStatusNames) }
func AuthStatuses() []int { return statusKeys(authStatusNames) }

func statusName(names map[int][2]string, status int, lang string) (string, bool) {
	n, ok := names[status]
	if !ok {
		return "", false
	}
	if NormalizeLanguage(lang) == LangEnUS {
		return n[0], true
	}
	return n[1], true
}

func statusKeys(names map[int][2]string) []int {
	keys := make([]int, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	return keys
}
