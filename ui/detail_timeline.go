package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/query"
)

// timelineCard lists the dossier's events: when, who, what, where, and whether synced.
func (v *detailView) timelineCard() fyne.CanvasObject {
	box := container.NewVBox()
	for _, e := range v.entries {
		ev := e.Event
		title := widget.NewLabelWithStyle(fmtDateTime(ev.At)+" — "+eventTitle(ev.Type),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		sync, color := eventSyncText(e)
		meta := widget.NewRichText(
			&widget.TextSegment{Text: v.staffName(ev.Actor) + " · " + deviceText(v.u, ev.Device, e.Local) + " · ",
				Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder}},
			&widget.TextSegment{Text: sync, Style: widget.RichTextStyle{Inline: true, ColorName: color}})
		meta.Wrapping = fyne.TextWrapWord
		item := container.NewVBox(title, meta)
		if more := eventDetail(ev); more != "" {
			item.Add(wrapLabel(more))
		}
		if c := e.Conflict; c != nil {
			cl := wrapLabel(T("Xung đột: ") + c.Msg)
			cl.Importance = widget.DangerImportance
			cl.TextStyle.Bold = !c.Resolved
			if c.Resolved {
				cl.SetText(T("Xung đột đã xử lý: ") + c.Msg)
				cl.Importance = widget.WarningImportance
			}
			item.Add(cl)
		}
		icon := widget.NewIcon(theme.MediaRecordIcon())
		if e.Conflict != nil && !e.Conflict.Resolved {
			icon.SetResource(theme.ErrorIcon())
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(icon), nil, item))
	}
	if len(v.entries) == 0 {
		box.Add(wrapLabel(T("Chưa có sự kiện nào.")))
	}
	return widget.NewCard(T("Lịch sử hồ sơ"), "", box)
}

// eventSyncText says whether an event reached the central system, and in what colour.
func eventSyncText(e query.TimelineEntry) (string, fyne.ThemeColorName) {
	if !e.Local {
		return T("nhận từ máy chủ"), theme.ColorNamePlaceHolder
	}
	switch e.SyncState {
	case query.SyncAcked:
		return T("đã đồng bộ"), theme.ColorNameSuccess
	case query.SyncQuarantined:
		reason := e.Reason
		if reason == "" {
			reason = T("máy chủ không nhận")
		}
		return T("bị giữ lại: ") + reason, theme.ColorNameError
	}
	return T("chờ đồng bộ"), theme.ColorNameWarning
}

// deviceText names the workstation an event was made on.
func deviceText(u *UI, device string, local bool) string {
	switch {
	case local || (device != "" && device == u.opt.Store.Config().DeviceID):
		return T("máy này")
	case device == "central":
		return T("Trung tâm thành phố")
	case device == "":
		return T("không rõ máy")
	}
	short := device
	if len(short) > 8 {
		short = short[:8]
	}
	return Tf("máy %s", short)
}

// eventDetail is the substance of an event, in a line.
func eventDetail(e domain.Event) string {
	p, err := domain.DecodePayload(e)
	if err != nil {
		return ""
	}
	switch v := p.(type) {
	case *domain.ReceivedPayload:
		if v.DueAt.IsZero() { // registered online: the time starts when it is accepted
			return Tf("Nộp qua: %s", channelText(v.Channel))
		}
		return Tf("Hẹn trả: %s", fmtDateTime(v.DueAt))
	case *domain.AcceptedPayload:
		return Tf("Hẹn trả: %s", fmtDateTime(v.DueAt))
	case *domain.SupplementRequestedPayload:
		var names []string
		for _, it := range v.Items {
			names = append(names, it.Name)
		}
		return Tf("Cần bổ sung: %s. Lý do: %s", strings.Join(names, "; "), v.Reason)
	case *domain.SupplementReceivedPayload:
		return Tf("Hẹn trả mới: %s", fmtDateTime(v.NewDueAt))
	case *domain.ReasonPayload:
		return Tf("Lý do: %s", v.Reason)
	case *domain.StepPayload:
		return strings.Trim(strings.Join([]string{v.Agency, v.Content}, " · "), " ·")
	case *domain.ResultReadyPayload:
		text := v.Result
		if v.Electronic {
			text += " · " + T("có kết quả điện tử")
		}
		return strings.Trim(text, " ·")
	case *domain.RescheduledPayload:
		return Tf("Hẹn mới: %s. Lý do: %s", fmtDateTime(v.NewDueAt), v.Reason)
	case *domain.HandedOverPayload:
		text := Tf("Người nhận: %s", v.Recipient.Name)
		if v.Authorized {
			text += " (" + T("được ủy quyền") + ")"
		}
		return text + " · " + handOverMethodText(v.Method)
	case *domain.CorrectedPayload:
		return Tf("Lý do: %s", v.Reason)
	case *domain.FormPreparedPayload:
		if v.Handoff != "" { // prepared at the entrance and taken from the hand-off queue
			return Tf("Tờ khai chuẩn bị sẵn, phiếu chuyển quầy số %s", v.Handoff)
		}
	case *domain.ConflictResolvedPayload:
		if v.Decision == "set_status" {
			return Tf("Đặt trạng thái «%s». %s", statusText(v.SetStatus), v.Note)
		}
		return Tf("Giữ nguyên trạng thái. %s", v.Note)
	}
	return ""
}
