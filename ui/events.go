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

// actionLabel is an action's button text.
func actionLabel(t domain.EventType) string {
	switch t {
	case domain.EvAccepted:
		return T("Tiếp nhận hồ sơ trực tuyến…")
	case domain.EvSupplementRequested:
		return T("Yêu cầu bổ sung hồ sơ (Mẫu 02)")
	case domain.EvSupplementReceived:
		return T("Đã nhận hồ sơ bổ sung")
	case domain.EvRefused:
		return T("Từ chối hồ sơ (Mẫu 03)")
	case domain.EvWithdrawn:
		return T("Công dân rút hồ sơ")
	case domain.EvForwarded:
		return T("Chuyển cơ quan giải quyết")
	case domain.EvResultReady:
		return T("Đã có kết quả")
	case domain.EvRescheduled:
		return T("Hẹn lại ngày trả, xin lỗi (Mẫu 04)")
	case domain.EvHandedOver:
		return T("Trả kết quả…")
	}
	return eventTitle(t)
}

// eventTitle names an event in the timeline ("Trả kết quả").
func eventTitle(t domain.EventType) string {
	switch t {
	case domain.EvRegisteredOnline:
		return T("Đăng ký trực tuyến")
	case domain.EvReceived:
		return T("Tiếp nhận hồ sơ")
	case domain.EvAccepted:
		return T("Tiếp nhận hồ sơ trực tuyến")
	case domain.EvSupplementRequested:
		return T("Yêu cầu bổ sung hồ sơ")
	case domain.EvSupplementReceived:
		return T("Nhận hồ sơ bổ sung")
	case domain.EvRefused:
		return T("Từ chối hồ sơ")
	case domain.EvWithdrawn:
		return T("Rút hồ sơ")
	case domain.EvForwarded:
		return T("Chuyển hồ sơ đến cơ quan giải quyết")
	case domain.EvProgress:
		return T("Ghi nhận tiến độ xử lý")
	case domain.EvPaymentRequested:
		return T("Yêu cầu thực hiện nghĩa vụ tài chính")
	case domain.EvPaymentRecorded:
		return T("Ghi nhận đã nộp phí, lệ phí")
	case domain.EvStopped:
		return T("Dừng xử lý hồ sơ")
	case domain.EvResultReady:
		return T("Ghi nhận đã có kết quả")
	case domain.EvRescheduled:
		return T("Hẹn lại ngày trả kết quả")
	case domain.EvHandedOver:
		return T("Trả kết quả")
	case domain.EvCorrected:
		return T("Đính chính thông tin hồ sơ")
	case domain.EvCodeAssigned:
		return T("Cấp mã hồ sơ")
	case domain.EvFileAttached:
		return T("Đính kèm tệp")
	case domain.EvFormPrepared:
		return T("Lập tờ khai hộ công dân")
	case domain.EvConflictResolved:
		return T("Xử lý xung đột")
	}
	return capitalize(domain.ActionName(t))
}

func actionIcon(t domain.EventType) fyne.Resource {
	switch t {
	case domain.EvAccepted:
		return theme.ConfirmIcon()
	case domain.EvSupplementRequested:
		return theme.DocumentIcon()
	case domain.EvSupplementReceived:
		return theme.ConfirmIcon()
	case domain.EvRefused, domain.EvWithdrawn:
		return theme.CancelIcon()
	case domain.EvForwarded:
		return theme.MailForwardIcon()
	case domain.EvResultReady:
		return theme.ConfirmIcon()
	case domain.EvRescheduled:
		return theme.HistoryIcon()
	case domain.EvHandedOver:
		return theme.MailSendIcon()
	}
	return theme.NavigateNextIcon()
}
