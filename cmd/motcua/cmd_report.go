package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"motcua/domain"
	"motcua/forms"
	"motcua/localdb"
)

func init() {
	extraCommands = append(extraCommands, command{"report",
		"xuất Biểu số 06/VPCP/KSTT (II.06a), sổ theo dõi hồ sơ, sổ trả kết quả (xlsx, pdf, csv)", cmdReport})
}

// Report kinds, as --kind names them.
const (
	kindII06a    = "ii06a"
	kindTracking = "tracking-book"
	kindReturn   = "return-book"
)

var kindNames = map[string]string{
	kindII06a:    "Biểu II.06a", // printed under its number from forms.json (reportName)
	kindTracking: "Sổ theo dõi hồ sơ",
	kindReturn:   "Sổ trả kết quả",
}

// reportName names a kind in the command's output: the report under the number its
// form data gives it.
func reportName(rd forms.Renderer, kind string) string {
	if kind == kindII06a {
		if n := rd.II06aTemplate().Number; n != "" {
			return n
		}
	}
	return kindNames[kind]
}

func cmdReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report")
	data := dataFlag(fs)
	kind := fs.String("kind", kindII06a, "loại: ii06a (Biểu số 06/VPCP/KSTT, còn gọi là II.06a), tracking-book (sổ theo dõi hồ sơ), return-book (sổ trả kết quả)")
	from := fs.String("from", "", "ngày đầu kỳ, YYYY-MM-DD")
	to := fs.String("to", "", "ngày cuối kỳ, YYYY-MM-DD (tính cả ngày này)")
	format := fs.String("format", "", "xlsx, pdf hoặc csv (mặc định: theo đuôi của tệp -o)")
	out := fs.String("o", "", "tệp kết quả")
	finish := fs.String("resolved-at", "", "ii06a: hồ sơ tính là đã giải quyết khi có kết quả (result) hay khi đã trả kết quả (return); mặc định theo Cài đặt")
	const treatHelp = "ii06a: cách tính hồ sơ %s — apart (tính là đã nhận, không tính đã giải quyết hay đang giải quyết), " +
		"resolved_on_time (đã giải quyết đúng hạn), resolved_by_due (đã giải quyết, xét hạn theo ngày kết thúc), excluded (không tính vào biểu); mặc định theo Cài đặt"
	treat := map[domain.Status]*string{
		domain.StatusWithdrawn: fs.String("withdrawn", "", fmt.Sprintf(treatHelp, "công dân rút (trạng thái 7)")),
		domain.StatusStopped:   fs.String("stopped", "", fmt.Sprintf(treatHelp, "dừng xử lý (trạng thái 8)")),
		domain.StatusRefused:   fs.String("refused", "", fmt.Sprintf(treatHelp, "từ chối sau khi đã tiếp nhận (trạng thái 3)")),
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("tham số thừa: %s", strings.Join(fs.Args(), " "))
	}
	if _, ok := kindNames[*kind]; !ok {
		return fmt.Errorf("loại báo cáo «%s» không có: chọn ii06a, tracking-book hoặc return-book", *kind)
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("thiếu --from hoặc --to: cần cả ngày đầu và ngày cuối kỳ, dạng NĂM-THÁNG-NGÀY, ví dụ --from 2026-02-01 --to 2026-02-28")
	}
	period, err := domain.ParsePeriod(*from, *to)
	if err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("thiếu -o TỆP: tên tệp kết quả, ví dụ -o bao-cao-thang-02.xlsx")
	}
	fmtName := *format
	if fmtName == "" {
		fmtName = strings.TrimPrefix(filepath.Ext(*out), ".")
		if fmtName == "" {
			return fmt.Errorf("không biết định dạng của tệp %s: thêm --format xlsx, pdf hoặc csv", *out)
		}
	}
	f, err := forms.ParseReportFormat(fmtName)
	if err != nil {
		return err
	}
	// The province's choices come from the settings; a flag overrides one for this run.
	if *finish != "" {
		if _, err := domain.ParseFinishRule(*finish); err != nil {
			return fmt.Errorf("--resolved-at «%s» không hợp lệ: chọn result hoặc return", *finish)
		}
	}
	flagTreat := map[domain.Status]domain.ClosedTreatment{}
	for st, v := range treat {
		if t := domain.ClosedTreatment(strings.TrimSpace(*v)); t != "" {
			if !t.Valid() {
				return fmt.Errorf("cách tính «%s» không có: chọn apart, resolved_on_time, resolved_by_due hoặc excluded", t)
			}
			flagTreat[st] = t
		}
	}

	// The file is written beside its final name and renamed when complete, so a failure
	// never leaves half a report; checking the folder first fails fast, before the work.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".motcua-report-*")
	if err != nil {
		if st, serr := os.Stat(filepath.Dir(*out)); errors.Is(err, os.ErrNotExist) && serr == nil && st.IsDir() {
			// The folder is there but takes no new file (/proc, a special file system).
			return fmt.Errorf("không ghi được tệp %s: thư mục %s không cho tạo tệp mới, hãy chọn thư mục khác", *out, filepath.Dir(*out))
		}
		return fmt.Errorf("không ghi được tệp %s: %v", *out, plainFSError(err))
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()

	s, err := openExisting(ctx, *data)
	if err != nil {
		return err
	}
	defer s.Close()
	settings := s.Config().Report
	if *finish != "" {
		settings.ResolvedAt = *finish
	}
	for st, t := range flagTreat {
		settings.Closed.Set(st, t)
	}
	opt := settings.Options()
	rd := reportRenderer(ctx, s)
	pr := newProgress(e.stderr)
	lines := 0
	switch *kind {
	case kindII06a:
		rep, _, err := s.Report(ctx, period, opt, func(rows int) { pr.show("Đang tổng hợp: %d hồ sơ", rows) })
		if err != nil {
			return err
		}
		lines = len(rep.Rows)
		if err := rd.II06a(tmp, f, rep); err != nil {
			return err
		}
	case kindTracking:
		book, err := s.TrackingBook(ctx, period, func(done, total int) { pr.show("Đang đọc hồ sơ: %d/%d", done, total) })
		if err != nil {
			return err
		}
		lines = len(book)
		pr.show("Đang ghi %d dòng", lines)
		if err := rd.TrackingBook(tmp, f, period, book); err != nil {
			return err
		}
	case kindReturn:
		book, err := s.ReturnBook(ctx, period, func(done, total int) { pr.show("Đang đọc hồ sơ: %d/%d", done, total) })
		if err != nil {
			return err
		}
		lines = len(book)
		pr.show("Đang ghi %d dòng", lines)
		if err := rd.ReturnBook(tmp, f, period, book); err != nil {
			return err
		}
	}
	pr.done()
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("không ghi được tệp %s: %v", *out, plainFSError(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("không ghi được tệp %s: %v", *out, plainFSError(err))
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("không ghi được tệp %s: %v", *out, plainFSError(err))
	}
	what := "dòng"
	if *kind == kindII06a {
		what = "lĩnh vực"
	}
	fmt.Fprintf(e.stdout, "Đã xuất %s, %s (%d %s): %s\n", reportName(rd, *kind), strings.ToLower(period.String()), lines, what, *out)
	if *kind == kindII06a {
		// Say how the figures were counted, as the report does under its table.
		fmt.Fprintf(e.stdout, "Hồ sơ tính là đã giải quyết: %s.\n", lowerFirst(opt.Finish.Label()))
		for _, st := range domain.ClosedStatuses() {
			fmt.Fprintln(e.stdout, opt.Closed.Describe(st))
		}
	}
	return nil
}

// reportRenderer prints with the unit's configuration and staff names.
func reportRenderer(ctx context.Context, s *localdb.Store) forms.Renderer {
	cfg := s.Config()
	names := map[string]string{}
	if staff, err := s.ListStaff(ctx); err == nil {
		for _, st := range staff {
			names[st.Username] = st.FullName
		}
	}
	return forms.Renderer{
		T: forms.DefaultTemplates(),
		Unit: forms.Unit{Parent: cfg.Parent, Name: cfg.UnitName, Code: cfg.UnitCode, Place: cfg.Place,
			Address: cfg.Address, Phone: cfg.Phone, ReturnPlace: cfg.ReturnPlace, Book: cfg.Book},
		Now:       time.Now,
		StaffName: func(username string) string { return names[username] },
	}
}

// plainFSError says in Vietnamese why a file could not be written.
func plainFSError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "thư mục không tồn tại"
	case errors.Is(err, os.ErrPermission):
		return "không có quyền ghi"
	}
	// The OS's own words are English (and the path is said already): name the usual causes.
	switch {
	case errors.Is(err, syscall.EISDIR), errors.Is(err, os.ErrExist): // renaming onto a folder
		return "đó là một thư mục, hãy ghi tên tệp"
	case errors.Is(err, syscall.ENOSPC):
		return "ổ đĩa đã đầy"
	case errors.Is(err, syscall.EROFS):
		return "ổ đĩa chỉ cho đọc"
	case errors.Is(err, syscall.ENOTDIR):
		return "một phần của đường dẫn không phải thư mục"
	case errors.Is(err, syscall.ENAMETOOLONG):
		return "tên tệp quá dài"
	}
	return "hệ điều hành không cho ghi (hãy thử thư mục khác)"
}

// progress writes a status line to stderr at most every half second, overwriting itself.
type progress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

func (p *progress) show(format string, args ...any) {
	if time.Since(p.last) < 500*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\r"+format+"   ", args...)
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// lowerFirst lowers the first letter, for a phrase inside a sentence.
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
