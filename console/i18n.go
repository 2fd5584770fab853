package console

import (
	"strconv"

	"github.com/casebook/casebook"
)

// catalog returns the page texts in lang. Status and audit names are keyed
// "case_status_N", "auth_status_N" and "audit_<action>".
func catalog(lang string) map[string]string {
	if lang == casebook.LangZhCN {
		return zhCN
	}
	return enUS
}

// The status names come from the domain's one table.
func init() {
	for lang, l := range map[string]map[string]string{casebook.LangEnUS: enUS, casebook.LangZhCN: zhCN} {
		for _, st := range casebook.CaseStatuses() {
			l["case_status_"+strconv.Itoa(st)], _ = casebook.CaseStatusName(st, lang)
		}
		for _, st := range casebook.AuthStatuses() {
			l["auth_status_"+strconv.Itoa(st)], _ = casebook.AuthStatusName(st, lang)
		}
	}
}

// errorText returns what a page says about a Service error in lang. The
// domain's messages are English only (casebook.Error.Message); a zh-cn
// page leads with a Chinese sentence for the error's kind, and the English
// detail follows it as Detail (docs/console/README.md).
func errorText(lang string, err error) (message, detail string) {
	msg := casebook.ErrorMessage(err)
	if lang != casebook.LangZhCN {
		return msg, ""
	}
	kind := zhCN["err_"+casebook.ErrorCode(err)]
	if kind == "" {
		kind = zhCN["err_internal"]
	}
	return kind, msg
}

var enUS = map[string]string{
	"AccountName": "Account name", "Actions": "Actions", "Agency": "IAM agency",
	"AgencyHint": "optional: instead of, or besides, passwords", "AgreeProtocol": "I agree to the Ticket Service Protocol",
	"All": "All", "Any": "Any", "Associations": "Associated tickets", "Attachments": "Attachments",
	"Authorization": "Authorization", "Authorizations": "Authorizations", "Back": "Back",
	"BackToTicket": "Back to the ticket", "CancelTicket": "Cancel the ticket", "Category": "Category",
	"CloseTicket": "Close the ticket", "Confirm": "Grant access", "ConfirmAuthorization": "Grant access",
	"Console": "Console", "ContentType": "Handed over", "Conversation": "Conversation", "Created": "Created",
	"CreatedBy": "Created by", "CreatedFrom": "Created from", "CreatedTo": "Created until",
	"Credentials": "Credentials", "Customer": "Customer", "CustomerLogin": "Customer log-in",
	"Description": "Description", "Detail": "Detail", "End": "End", "Engineer": "Engineer",
	"EngineerLogin": "Support engineer log-in", "Error": "Error", "Evaluation": "Evaluation", "Filter": "Filter",
	"HandledBy": "Answered by", "History": "History", "Home": "Home", "Host": "Host", "Instance": "Instance",
	"InstanceID": "Instance id", "Item": "Item", "Items": "Items", "Kind": "Kind", "LogIn": "Log in",
	"LogOut": "Log out", "LoginAccount": "Login account", "LoginFailed": "Incorrect account name, user name or password.",
	"Message": "Message", "Mine": "Mine", "MyAudit": "My audit trail", "MyAuthorizations": "My authorizations",
	"MyTicketsOnly": "My tickets only", "Navigation": "Main", "NewTicket": "New ticket", "Next": "Next", "No": "No",
	"NoAuthorizations": "No authorizations.", "NoCredentials": "This grant holds no passwords (an agency only).",
	"NoHistory": "Nothing recorded yet.", "NoTickets": "No tickets.", "NotFound": "Not found.",
	"NotInForce": "The grant is not in force: its credentials cannot be read.", "Optional": "optional",
	"Pages": "Pages", "Password": "Password", "PasswordGiven": "Password given", "Port": "Port",
	"Previous": "Previous", "ProblemType": "Problem type", "Queue": "Queue", "Reason": "Reason", "Region": "Region",
	"RegionHint": "required for fault reports", "Reject": "Reject", "RejectReason": "Reason for rejecting",
	"Reply": "Reply", "RequestAccess": "Request access", "Requested": "Requested", "ResourceType": "Resource",
	"Reveal":           "Reveal the credentials",
	"RevealExplain":    "Revealing records a read in the audit log that the customer sees in the ticket's history.",
	"RevealRecorded":   "This read has been recorded. Do not copy these credentials anywhere they could outlive the grant.",
	"ReviewAndConfirm": "Review and grant", "Revoke": "Revoke the grant",
	"RevokeExplain": "Revoking ends the engineer's access now and destroys the credentials you gave.",
	"Satisfaction":  "Satisfaction", "RateTicket": "Rate the service", "Rate": "Rate", "Save": "Save", "Search": "Search", "Send": "Send",
	"SetStatus": "Status", "Severity": "Severity", "Start": "Start", "Status": "Status", "Submit": "Submit",
	"Switch": "Switch", "Take": "Take the ticket", "Ticket": "Ticket", "Tickets": "Tickets", "TimesIn": "Times in",
	"Unassigned": "Unassigned", "Urge": "Urge", "UserName": "User name", "ValidityWindow": "Validity window",
	"VisitType": "Access by", "What": "What", "When": "When", "Who": "Who", "Window": "Window",
	"WindowCap": "A grant can last at most", "Withdraw": "Withdraw the request", "WorkIn": "Tickets of",
	"Yes": "Yes", "Remove": "Remove", "NoAssociations": "No associated tickets.",
	"AssociateTicket": "Associate a ticket (id)", "Associate": "Associate", "SkipToContent": "Skip to the content", "ErrorDetail": "Detail", "Product": "Product", "NeedsRegion": "needs a region",

	"Label": "Label", "Labels": "Labels", "MyLabels": "My labels", "MyLabelsOnTicket": "My labels",
	"RemoveLabel": "Remove the label", "NoLabelsOnTicket": "None of your labels is on this ticket.",
	"TicketLabelsFull": "This ticket carries as many of your labels as it can", "AddLabel": "Add a label", "Add": "Add",
	"ManageLabels": "Manage my labels", "LabelName": "Name", "LabelColor": "Colour", "CreateLabel": "Create the label",
	"LabelsExplain": "Labels are yours alone: nobody else sees them, on tickets or in lists.",
	"LabelsFull":    "You have as many labels as you can have; delete one to create another.",
	"DeleteLabel":   "Delete", "NoLabels": "You have no labels yet.",

	"audit_credential.read": "Credentials read", "audit_credential.destroyed": "Credentials destroyed",
	"audit_authorization.confirmed": "Access granted", "audit_authorization.ended": "Grant ended",
}

var zhCN = map[string]string{
	"AccountName": "账号名", "Actions": "操作", "Agency": "IAM 委托", "AgencyHint": "可选：代替密码或与密码一起",
	"AgreeProtocol": "我同意《工单服务协议》", "All": "全部", "Any": "全部", "Associations": "关联工单",
	"Attachments": "附件", "Authorization": "授权", "Authorizations": "授权管理", "Back": "返回",
	"BackToTicket": "返回工单", "CancelTicket": "撤销工单", "Category": "问题类别", "CloseTicket": "关闭工单",
	"Confirm": "确认授权", "ConfirmAuthorization": "确认授权", "Console": "控制台", "ContentType": "授权内容",
	"Conversation": "沟通记录", "Created": "创建时间", "CreatedBy": "提交人", "CreatedFrom": "创建起始",
	"CreatedTo": "创建截止", "Credentials": "凭据", "Customer": "客户", "CustomerLogin": "客户登录",
	"Description": "问题描述", "Detail": "详情", "End": "结束时间", "Engineer": "工程师",
	"EngineerLogin": "技术支持工程师登录", "Error": "错误", "Evaluation": "评价", "Filter": "筛选",
	"HandledBy": "处理人", "History": "操作历史", "Home": "首页", "Host": "主机", "Instance": "实例",
	"InstanceID": "实例 ID", "Item": "授权项", "Items": "授权项", "Kind": "类型", "LogIn": "登录",
	"LogOut": "退出", "LoginAccount": "登录账号", "LoginFailed": "账号名、用户名或密码错误。",
	"Message": "留言", "Mine": "我的", "MyAudit": "我的审计记录", "MyAuthorizations": "我的授权",
	"MyTicketsOnly": "仅我的工单", "Navigation": "主导航", "NewTicket": "新建工单", "Next": "下一页", "No": "否",
	"NoAuthorizations": "暂无授权。", "NoCredentials": "此授权不含密码（仅委托）。", "NoHistory": "暂无记录。",
	"NoTickets": "暂无工单。", "NotFound": "未找到。", "NotInForce": "授权不在有效期内，无法读取凭据。",
	"Optional": "可选", "Pages": "分页", "Password": "密码", "PasswordGiven": "已提供密码", "Port": "端口",
	"Previous": "上一页", "ProblemType": "问题类型", "Queue": "工单队列", "Reason": "原因", "Region": "区域",
	"RegionHint": "故障报告必填", "Reject": "拒绝", "RejectReason": "拒绝原因", "Reply": "回复",
	"RequestAccess": "申请授权", "Requested": "申请时间", "ResourceType": "资源类型", "Reveal": "查看凭据",
	"RevealExplain":    "查看凭据会记入审计日志，客户可在工单历史中看到。",
	"RevealRecorded":   "本次读取已记录。请勿将凭据保存到授权结束后仍存在的地方。",
	"ReviewAndConfirm": "查看并授权", "Revoke": "取消授权",
	"RevokeExplain": "取消授权会立即终止工程师的访问，并销毁您提供的凭据。",
	"Satisfaction":  "满意度", "RateTicket": "评价服务", "Rate": "评价", "Save": "保存", "Search": "搜索", "Send": "发送", "SetStatus": "状态",
	"Severity": "严重程度", "Start": "开始时间", "Status": "状态", "Submit": "提交", "Switch": "切换",
	"Take": "受理工单", "Ticket": "工单", "Tickets": "我的工单", "TimesIn": "时区", "Unassigned": "未受理",
	"Urge": "催单", "UserName": "用户名", "ValidityWindow": "授权有效期", "VisitType": "访问方式",
	"What": "操作", "When": "时间", "Who": "操作人", "Window": "有效期", "WindowCap": "授权最长",
	"Withdraw": "撤回申请", "WorkIn": "查看范围", "Yes": "是",
	"Remove": "移除", "NoAssociations": "暂无关联工单。", "AssociateTicket": "关联工单（编号）", "Associate": "关联",
	"SkipToContent": "跳到正文", "ErrorDetail": "详细信息（英文）", "Product": "产品", "NeedsRegion": "需填写区域",

	"Label": "标签", "Labels": "标签", "MyLabels": "我的标签", "MyLabelsOnTicket": "我的标签",
	"RemoveLabel": "移除标签", "NoLabelsOnTicket": "此工单上没有您的标签。",
	"TicketLabelsFull": "此工单上您的标签已达上限", "AddLabel": "添加标签", "Add": "添加",
	"ManageLabels": "管理我的标签", "LabelName": "名称", "LabelColor": "颜色", "CreateLabel": "创建标签",
	"LabelsExplain": "标签仅您本人可见：其他人在工单和列表中都看不到。",
	"LabelsFull":    "您的标签数量已达上限；请先删除一个再创建。",
	"DeleteLabel":   "删除", "NoLabels": "您还没有标签。",

	"err_invalid": "输入有误，请检查后重试。", "err_not_found": "未找到。", "err_conflict": "当前状态不允许此操作。",
	"err_forbidden": "您无权执行此操作。", "err_unauthorized": "未登录或登录已失效。",
	"err_limit": "操作过于频繁或已达上限，请稍后再试。", "err_internal": "服务内部错误，请稍后再试。",

	"audit_credential.read": "读取凭据", "audit_credential.destroyed": "销毁凭据",
	"audit_authorization.confirmed": "确认授权", "audit_authorization.ended": "授权结束",
}
