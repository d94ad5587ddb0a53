package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"motcua/domain"
	"motcua/localdb"
)

func init() {
	extraCommands = append(extraCommands,
		command{"backups", "liệt kê các bản sao lưu trong một thư mục", cmdBackups},
		command{"verify-backup", "kiểm tra một bản sao lưu (giải mã nếu cần)", cmdVerifyBackup},
	)
}

func cmdBackups(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backups")
	dir := fs.String("dir", "", "thư mục sao lưu (mặc định: thư mục sao lưu trong Cài đặt của --data)")
	data := dataFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		s, err := openExisting(ctx, *data)
		if err != nil {
			return err
		}
		*dir = s.Config().BackupDir
		s.Close()
		if *dir == "" {
			return fmt.Errorf("thiếu --dir THƯ_MỤC (chưa chọn thư mục sao lưu trong Cài đặt)")
		}
	}
	list, err := localdb.ListBackups(*dir)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "Chưa có bản sao lưu nào trong %s\n", *dir)
		return nil
	}
	printBackups(e.stdout, list, "")
	return nil
}

// printBackups lists backups one a line, each line after indent.
func printBackups(w io.Writer, list []localdb.BackupEntry, indent string) {
	kinds := map[string]string{localdb.BackupDaily: "hằng ngày", localdb.BackupWeekly: "hằng tuần", localdb.BackupExtra: "ngoài hạn"}
	for _, b := range list {
		enc := "KHÔNG mã hóa, không chống sửa đổi"
		if b.Encrypted {
			enc = "mã hóa"
		}
		line := fmt.Sprintf("%s  %s  %-9s  %8.1f MB  %6d hồ sơ  %s", b.Name, b.Time.Format("02/01/2006 15:04"), kinds[b.Kind],
			float64(b.Size)/(1<<20), b.Dossiers, enc)
		if b.Problem != "" {
			line = fmt.Sprintf("%s  %s  LỖI: %s", b.Name, b.Time.Format("02/01/2006 15:04"), b.Problem)
		}
		fmt.Fprintln(w, indent+strings.TrimRight(line, " "))
	}
}

// chooseBackup turns --from into one backup folder: the folder itself when it is a backup;
// for the folder backups are written into (`backup --to DIR`), the newest readable backup in
// it, after listing them and saying which one.
func chooseBackup(e *env, from string) (string, error) {
	// Said before looking for manifest.json in it: a folder that is not there, or a file.
	switch st, err := os.Stat(from); {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("không có thư mục %s (ổ USB đã cắm chưa?); --from là thư mục bản sao lưu hoặc thư mục chứa các bản sao lưu", from)
	case err != nil:
		return "", fmt.Errorf("không đọc được thư mục %s: %s", from, plainOSError(err))
	case !st.IsDir():
		return "", fmt.Errorf("%s là một tệp, không phải thư mục: --from là thư mục bản sao lưu (motcua-YYYYMMDD-HHMMSS) hoặc thư mục chứa các bản sao lưu", from)
	}
	dir, list, err := localdb.BackupIn(from)
	if err != nil {
		return "", err
	}
	if list != nil {
		fmt.Fprintf(e.stdout, "%s là thư mục chứa %d bản sao lưu (mới nhất trước):\n", from, len(list))
		printBackups(e.stdout, list, "  ")
		fmt.Fprintf(e.stdout, "Dùng bản mới nhất: %s (muốn bản khác: --from %s)\n", filepath.Base(dir), filepath.Join(from, "TÊN_BẢN"))
	}
	return dir, nil
}

func cmdVerifyBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify-backup")
	from := fs.String("from", "", "thư mục bản sao lưu")
	passFile := fs.String("passphrase-file", "", "tệp chứa mật khẩu của bản sao lưu mã hóa (dòng đầu tiên)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("thiếu --from THƯ_MỤC")
	}
	var err error
	if *from, err = chooseBackup(e, *from); err != nil {
		return err
	}
	m, err := localdb.ReadBackupManifest(*from)
	if err != nil {
		return err
	}
	pass := ""
	if m.Encrypted {
		if pass, err = passphrase(e, *passFile, "Mật khẩu sao lưu: "); err != nil {
			return err
		}
	}
	m, err = localdb.VerifyBackup(ctx, *from, pass)
	if err != nil {
		return fmt.Errorf("bản sao lưu %s không đạt kiểm tra: %w", *from, err)
	}
	if m.Format == 0 {
		fmt.Fprintf(e.stdout, "Bản sao lưu %s (dạng cũ, không có bản kê): khớp với chính nó\n", *from)
	} else {
		how := "mã hóa, bản kê đã xác thực: toàn vẹn, chưa bị sửa"
		switch {
		case !m.Encrypted:
			how = "KHÔNG mã hóa: khớp với bản kê của chính nó"
		case m.Format == 1:
			how = "mã hóa dạng cũ: toàn vẹn"
		}
		fmt.Fprintf(e.stdout, "Bản sao lưu %s (motcua %s, %s): %d hồ sơ, %d sự kiện, %d tệp; %s\n",
			*from, m.AppVersion, m.CreatedAt.In(domain.VN()).Format("02/01/2006 15:04"), m.Stats.Dossiers, m.Stats.Events, m.Files, how)
	}
	if !m.TamperEvident {
		fmt.Fprintln(e.stdout, "Cảnh báo: "+m.Notice)
	}
	return nil
}

// cliAdmin is who the audit log names for changes made from the command line (whoever
// runs it can read the data folder: an administrator of this PC).
var cliAdmin = domain.Staff{Username: "cli", FullName: "Dòng lệnh", Role: domain.RoleAdmin, Active: true}

// backupOptions chooses how «motcua backup» protects the backup: --plain explicitly; a
// passphrase given now; else the passphrase set before. The first backup of a workstation
// with none asks for one (typed twice on a terminal, or --passphrase-file) and keeps it for
// the next backups, the automatic ones included.
func backupOptions(ctx context.Context, e *env, s *localdb.Store, plain, encrypt bool, passFile string) (localdb.BackupOptions, error) {
	if plain {
		if encrypt || passFile != "" {
			return localdb.BackupOptions{}, errors.New("chọn --plain hoặc mật khẩu (--encrypt, --passphrase-file), không chọn cả hai")
		}
		return localdb.BackupOptions{}, nil
	}
	mode, err := s.BackupMode(ctx)
	if err != nil {
		return localdb.BackupOptions{}, err
	}
	first := mode == localdb.BackupUnset
	if !encrypt && passFile == "" && !first {
		return localdb.BackupOptions{UseStored: true}, nil
	}
	if first && passFile == "" && !isTerminal(e) {
		return localdb.BackupOptions{}, errors.New("chưa đặt mật khẩu sao lưu cho máy trạm này: chạy lại với --passphrase-file TỆP (mật khẩu được lưu cho các lần sau) hoặc --plain (không mã hóa, không chống sửa đổi)")
	}
	if first {
		fmt.Fprintln(e.stderr, "Lần sao lưu đầu tiên: đặt mật khẩu sao lưu. Mật khẩu được lưu (dạng khóa) cho các lần sao lưu sau; mất mật khẩu thì không khôi phục được bản đã mã hóa.")
	}
	pass, err := newPassphrase(e, passFile)
	if err != nil {
		return localdb.BackupOptions{}, err
	}
	if !first {
		return localdb.BackupOptions{Passphrase: pass}, nil
	}
	if err := s.SetBackupPassphrase(ctx, cliAdmin, pass); err != nil {
		return localdb.BackupOptions{}, err
	}
	return localdb.BackupOptions{UseStored: true}, nil
}

// passphrase reads a backup passphrase from a file (its first line), else asks for it
// without echo on a terminal, else reads the first line of standard input.
func passphrase(e *env, file, prompt string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("không đọc được tệp mật khẩu %s: %s", file, plainReadError(err))
		}
		line, _, _ := strings.Cut(string(b), "\n")
		// Notepad may start a UTF-8 file with a byte-order mark and end lines with CR.
		line = strings.TrimSuffix(strings.TrimPrefix(line, "\ufeff"), "\r")
		if line == "" {
			return "", fmt.Errorf("tệp mật khẩu %s rỗng", file)
		}
		return line, nil
	}
	return readPassword(e, prompt)
}

// newPassphrase is passphrase for a new backup: typed twice on a terminal.
func newPassphrase(e *env, file string) (string, error) {
	p, err := passphrase(e, file, "Mật khẩu sao lưu (ít nhất 8 ký tự): ")
	if err != nil || file != "" || !isTerminal(e) {
		return p, err
	}
	again, err := readPassword(e, "Nhập lại mật khẩu: ")
	if err != nil {
		return "", err
	}
	if again != p {
		return "", errors.New("hai lần nhập mật khẩu không giống nhau")
	}
	return p, nil
}

func isTerminal(e *env) bool {
	f, ok := e.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
