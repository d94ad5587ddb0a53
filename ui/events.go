package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"motcua/domain"
)

// nextStep is the action a dossier in status s usually waits for: its button stands out.
func nextStep(s domain.Status) domain.EventType {
	switch s {
	case domain.StatusRegistered:
		return domain.EvAccepted
	case domain.StatusAccepted:
		return domain.EvForwarded
	case domain.StatusProcessing:
		return domain.EvResultReady
	case domain.StatusSupplement:
		return domain.EvSupplementReceived
	case domain.StatusResultReady:
		return domain.EvHandedOver
	}
	return ""
}

// eventLook is how the interface shows one type of event: its title in a dossier's
// history, the text of its button when staff record it (nil: the title), and the button's
// icon (nil: an arrow). Text is looked up when read, in the language of the moment.
type eventLook struct {
	title  func() string
	action func() string
	icon   func() fyne.Resource
}

// eventLooks is the one table of event titles, button texts and icons.
var eventLooks = map[domain.EventType]eventLook{
	domain.EvRegisteredOnline: {title: func() string { return T("Đăng ký trực tuyến") }},
	domain.EvReceived:         {title: func() string { return T("Tiếp nhận hồ sơ") }},
	domain.EvAccepted: {title: func() string { return T("Tiếp nhận hồ sơ trực tuyến") },
		action: func() string { return T("Tiếp nhận hồ sơ trực tuyến…") }, icon: theme.ConfirmIcon},
	domain.EvSupplementRequested: {title: func() string { return T("Yêu cầu bổ sung hồ sơ") },
		action: func() string { return T("Yêu cầu bổ sung hồ sơ (Mẫu 02)") }, icon: theme.DocumentIcon},
	domain.EvSupplementReceived: {title: func() string { return T("Nhận hồ sơ bổ sung") },
		action: func() string { return T("Đã nhận hồ sơ bổ sung") }, icon: theme.ConfirmIcon},
	domain.EvRefused: {title: func() string { return T("Từ chối hồ sơ") },
		action: func() string { return T("Từ chối hồ sơ (Mẫu 03)") }, icon: theme.CancelIcon},
	domain.EvWithdrawn: {title: func() string { return T("Rút hồ sơ") },
		action: func() string { return T("Công dân rút hồ sơ") }, icon: theme.CancelIcon},
	domain.EvForwarded: {title: func() string { return T("Chuyển hồ sơ đến cơ quan giải quyết") },
		action: func() string { return T("Chuyển cơ quan giải quyết") }, icon: theme.MailForwardIcon},
	domain.EvProgress:         {title: func() string { return T("Ghi nhận tiến độ xử lý") }},
	domain.EvPaymentRequested: {title: func() string { return T("Yêu cầu thực hiện nghĩa vụ tài chính") }},
	domain.EvPaymentRecorded:  {title: func() string { return T("Ghi nhận đã nộp phí, lệ phí") }},
	domain.EvStopped:          {title: func() string { return T("Dừng xử lý hồ sơ") }},
	domain.EvResultReady: {title: func() string { return T("Ghi nhận đã có kết quả") },
		action: func() string { return T("Đã có kết quả") }, icon: theme.ConfirmIcon},
	domain.EvRescheduled: {title: func() string { return T("Hẹn lại ngày trả kết quả") },
		action: func() string { return T("Hẹn lại ngày trả, xin lỗi (Mẫu 04)") }, icon: theme.HistoryIcon},
	domain.EvHandedOver: {title: func() string { return T("Trả kết quả") },
		action: func() string { return T("Trả kết quả…") }, icon: theme.MailSendIcon},
	domain.EvCorrected:        {title: func() string { return T("Đính chính thông tin hồ sơ") }},
	domain.EvCodeAssigned:     {title: func() string { return T("Cấp mã hồ sơ") }},
	domain.EvFileAttached:     {title: func() string { return T("Đính kèm tệp") }},
	domain.EvFormPrepared:     {title: func() string { return T("Lập tờ khai hộ công dân") }},
	domain.EvConflictResolved: {title: func() string { return T("Xử lý xung đột") }},
}

// eventTitle names an event in the timeline ("Trả kết quả").
func eventTitle(t domain.EventType) string {
	if l, ok := eventLooks[t]; ok && l.title != nil {
		return l.title()
	}
	return capitalize(domain.ActionName(t))
}

// actionLabel is an action's button text.
func actionLabel(t domain.EventType) string {
	if l := eventLooks[t]; l.action != nil {
		return l.action()
	}
	return eventTitle(t)
}

// actionIcon is an action's button icon.
func actionIcon(t domain.EventType) fyne.Resource {
	if l := eventLooks[t]; l.icon != nil {
		return l.icon()
	}
	return theme.NavigateNextIcon()
}
