package central

import (
	"time"

	"motcua/domain"
)

// The national public service portal (Cổng DVC Quốc gia) names its fields in Vietnamese
// without diacritics and dates as yyyyMMddHHmmss in Asia/Ho_Chi_Minh. GET /dossiers?format=dvcqg
// renders the city's folds that way, so an adapter can forward them without loss.
// Codes marked (unconfirmed) follow the published field list but their value tables were
// not checked against the portal's integration guide.

const portalDate = "20060102150405"

func portalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.VN()).Format(portalDate)
}

// PortalDossier is a dossier in the national portal's field names.
type PortalDossier struct {
	MaHoSo               string          `json:"MaHoSo"`
	MaTTHC               string          `json:"MaTTHC"`
	TenTTHC              string          `json:"TenTTHC"`
	MaLinhVuc            string          `json:"MaLinhVuc"`
	TenLinhVuc           string          `json:"TenLinhVuc"`
	KenhThucHien         int             `json:"KenhThucHien"`
	ChuHoSo              string          `json:"ChuHoSo"`
	SoGiayToChuHoSo      string          `json:"SoGiayToChuHoSo"`
	LoaiDoiTuong         int             `json:"LoaiDoiTuong"`
	SoDienThoai          string          `json:"SoDienThoai"`
	Email                string          `json:"Email"`
	DiaChi               string          `json:"DiaChi,omitempty"`
	TrichYeuHoSo         string          `json:"TrichYeuHoSo"`
	NgayTiepNhan         string          `json:"NgayTiepNhan"`
	NgayHenTra           string          `json:"NgayHenTra"`
	TrangThaiHoSo        int             `json:"TrangThaiHoSo"`
	NgayTra              string          `json:"NgayTra"`
	HinhThuc             int             `json:"HinhThuc"`
	NgayKetThucXuLy      string          `json:"NgayKetThucXuLy"`
	DonViXuLy            string          `json:"DonViXuLy"`
	GhiChu               string          `json:"GhiChu"`
	HoSoCoThanhPhanSoHoa int             `json:"HoSoCoThanhPhanSoHoa"`
	NgayTuChoi           string          `json:"NgayTuChoi"`
	TaiLieuNop           []PortalFile    `json:"TaiLieuNop"`
	DanhSachLePhi        []PortalFee     `json:"DanhSachLePhi"`
	DanhSachHoSoBoSung   []PortalSupp    `json:"DanhSachHoSoBoSung"`
	DanhSachGiayToKetQua []PortalResult  `json:"DanhSachGiayToKetQua"`
	QuaTrinhXuLy         []PortalStep    `json:"QuaTrinhXuLy"`
	XungDot              []PortalProblem `json:"XungDot,omitempty"` // conflicts for a supervisor (not a portal field)
}

// PortalFile is one document handed in (TaiLieuNop).
type PortalFile struct {
	TenTepDinhKem   string `json:"TenTepDinhKem"`
	MaThanhPhanHoSo string `json:"MaThanhPhanHoSo"`
	TenThanhPhan    string `json:"TenThanhPhan"`
	DuocSoHoa       int    `json:"DuocSoHoa"`
	MaTep           string `json:"MaTep,omitempty"` // SHA-256 of the stored file
}

// PortalFee is one fee (DanhSachLePhi).
type PortalFee struct {
	TenPhiLePhi string `json:"TenPhiLePhi"`
	Gia         int64  `json:"Gia"`
	HinhThucThu int    `json:"HinhThucThu"` // 1 direct (unconfirmed code table)
}

// PortalSupp is one supplement round (DanhSachHoSoBoSung).
type PortalSupp struct {
	NoiDungBoSung   string `json:"NoiDungBoSung"`
	NgayBoSung      string `json:"NgayBoSung"`
	NgayHenTraTruoc string `json:"NgayHenTraTruoc"`
	NgayHenTraMoi   string `json:"NgayHenTraMoi"`
}

// PortalResult is one result document (DanhSachGiayToKetQua).
type PortalResult struct {
	TenGiayTo     string `json:"TenGiayTo"`
	TenTepDinhKem string `json:"TenTepDinhKem"`
	MaTep         string `json:"MaTep,omitempty"`
}

// PortalStep is one processing step (the portal's progress record).
type PortalStep struct {
	MaHoSo                 string `json:"MaHoSo"`
	NguoiXuLy              string `json:"NguoiXuLy"`
	ChucDanh               string `json:"ChucDanh"`
	ThoiDiemXuLy           string `json:"ThoiDiemXuLy"`
	PhongBanXuLy           string `json:"PhongBanXuLy"`
	NoiDungXuLy            string `json:"NoiDungXuLy"`
	TrangThai              int    `json:"TrangThai"`
	NgayBatDau             string `json:"NgayBatDau"`
	NgayKetThucTheoQuyDinh string `json:"NgayKetThucTheoQuyDinh"`
}

// PortalProblem is a conflict kept for a supervisor.
type PortalProblem struct {
	MaSuKien string `json:"MaSuKien"`
	Loai     string `json:"Loai"`
	NoiDung  string `json:"NoiDung"`
	DaXuLy   bool   `json:"DaXuLy"`
}

// handOverMethod maps the return method to HinhThuc (unconfirmed code table).
func handOverMethod(h *domain.HandOver) int {
	if h == nil {
		return 0
	}
	switch h.Method {
	case domain.HandOverPost:
		return 1
	case domain.HandOverElectronic:
		return 2
	}
	return 0
}

type projected struct {
	owner, ownerID, agency string
}

func portalFields(d domain.Dossier) projected {
	o := d.OwnerOrApplicant()
	p := projected{owner: o.Name, ownerID: o.IDNumber, agency: d.ResultFrom}
	for _, s := range d.Steps {
		if s.Agency != "" && (s.Kind == domain.EvForwarded || p.agency == "") {
			p.agency = s.Agency
		}
	}
	return p
}

// Portal renders a dossier in the national portal's field names.
func Portal(d domain.Dossier) PortalDossier {
	o := d.OwnerOrApplicant()
	f := portalFields(d)
	received := d.ReceivedAt
	if received.IsZero() {
		received = d.RegisteredAt
	}
	p := PortalDossier{
		MaHoSo: d.Code, MaTTHC: d.Procedure.Code, TenTTHC: d.Procedure.Name, MaLinhVuc: d.Procedure.FieldCode,
		TenLinhVuc: d.Procedure.Field, KenhThucHien: portalChannel(d), ChuHoSo: o.Name, SoGiayToChuHoSo: o.IDNumber,
		LoaiDoiTuong: portalSubject(d.Subject), SoDienThoai: o.Phone, Email: o.Email, DiaChi: o.Address, TrichYeuHoSo: portalSummary(d.Summary),
		NgayTiepNhan: portalTime(received), NgayHenTra: portalTime(d.DueAt), TrangThaiHoSo: int(d.Status),
		NgayTra: portalTime(d.ReturnedAt), HinhThuc: handOverMethod(d.HandOver), NgayKetThucXuLy: portalTime(d.ResultAt),
		DonViXuLy: f.agency, GhiChu: d.CloseReason,
		TaiLieuNop: []PortalFile{}, DanhSachLePhi: []PortalFee{}, DanhSachHoSoBoSung: []PortalSupp{},
		DanhSachGiayToKetQua: []PortalResult{}, QuaTrinhXuLy: []PortalStep{},
	}
	if d.Status == domain.StatusRefused {
		p.NgayTuChoi = portalTime(d.ClosedAt)
	}
	for _, doc := range d.Documents {
		if doc.Digitized {
			p.HoSoCoThanhPhanSoHoa = 1
		}
		dig := 0
		if doc.Digitized {
			dig = 1
		}
		if len(doc.Files) == 0 {
			p.TaiLieuNop = append(p.TaiLieuNop, PortalFile{MaThanhPhanHoSo: doc.Code, TenThanhPhan: doc.Name, DuocSoHoa: dig})
		}
		for _, f := range doc.Files {
			p.TaiLieuNop = append(p.TaiLieuNop, PortalFile{TenTepDinhKem: f.Name, MaThanhPhanHoSo: doc.Code, TenThanhPhan: doc.Name, DuocSoHoa: dig, MaTep: f.SHA256})
		}
	}
	if d.Fee > 0 {
		p.DanhSachLePhi = append(p.DanhSachLePhi, PortalFee{TenPhiLePhi: "Phí, lệ phí", Gia: d.Fee, HinhThucThu: 1})
	}
	for _, s := range d.Supplements {
		what := s.Reason
		for _, it := range s.Items {
			if what != "" {
				what += "; "
			}
			what += it.Name
		}
		p.DanhSachHoSoBoSung = append(p.DanhSachHoSoBoSung, PortalSupp{NoiDungBoSung: what, NgayBoSung: portalTime(s.RequestedAt),
			NgayHenTraTruoc: portalTime(s.DueBefore), NgayHenTraMoi: portalTime(s.DueAfter)})
	}
	for _, r := range d.Results {
		p.DanhSachGiayToKetQua = append(p.DanhSachGiayToKetQua, PortalResult{TenGiayTo: d.Procedure.ResultType, TenTepDinhKem: r.Name, MaTep: r.SHA256})
	}
	prev := received
	for _, s := range d.Steps {
		status := domain.StatusProcessing
		if s.Kind == domain.EvResultReady {
			status = domain.StatusResultReady
		}
		p.QuaTrinhXuLy = append(p.QuaTrinhXuLy, PortalStep{MaHoSo: d.Code, NguoiXuLy: firstNonEmpty(s.Handler, s.By), ChucDanh: s.Title,
			ThoiDiemXuLy: portalTime(s.At), PhongBanXuLy: s.Agency, NoiDungXuLy: s.Content, TrangThai: int(status),
			NgayBatDau: portalTime(prev), NgayKetThucTheoQuyDinh: portalTime(d.DueAt)})
		prev = s.At
	}
	for _, c := range d.Conflicts {
		p.XungDot = append(p.XungDot, PortalProblem{MaSuKien: c.EventID, Loai: string(c.Type), NoiDung: c.Msg, DaXuLy: c.Resolved})
	}
	return p
}

// portalChannel is KenhThucHien, 1 direct, 2 online, 3 post. A dossier whose events did
// not say (made before the field was written) came online when the portal registered it,
// and to the counter otherwise: the portal takes no other value.
func portalChannel(d domain.Dossier) int {
	if d.Channel >= domain.ChannelDirect && d.Channel <= domain.ChannelPost {
		return int(d.Channel)
	}
	if !d.RegisteredAt.IsZero() {
		return int(domain.ChannelOnline)
	}
	return int(domain.ChannelDirect)
}

// portalSubject is LoaiDoiTuong, 1 citizen, 2 business, 3 agency, 4 other; an intake that
// did not say is a citizen's (domain.PrepareIntake's default).
func portalSubject(s domain.SubjectKind) int {
	if s >= domain.SubjectCitizen && s <= domain.SubjectOther {
		return int(s)
	}
	return int(domain.SubjectCitizen)
}

// portalSummary is TrichYeuHoSo, which the portal takes up to domain.MaxSummary (1,000)
// characters: a longer one (an online registration's, or a correction's) is cut, marked
// with an ellipsis; the city's record keeps it whole.
func portalSummary(s string) string {
	r := []rune(s)
	if len(r) <= domain.MaxSummary {
		return s
	}
	return string(r[:domain.MaxSummary-1]) + "…"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
