package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// newFlags makes a command's flag set. Its -h prints a Vietnamese usage to standard output
// (a command may give its own Usage); parseFlags turns the flag package's English errors
// into one Vietnamese line.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("motcua "+name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		line := "Cách dùng: " + prog
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(fs.Output(), line+" [tham số]\n\nTham số:")
		printFlags(fs)
	}
	return fs
}

// cmdName is the command a flag set belongs to, as typed after the program's name.
func cmdName(fs *flag.FlagSet) string {
	return strings.TrimSpace(strings.TrimPrefix(fs.Name(), "motcua"))
}

// parseFlags parses args like fs.Parse, but says what is wrong in Vietnamese: an unknown
// flag, a missing or bad value (naming what the flag expects), a negative number (no flag of
// motcua takes one). Such an error exits with status 2; -h prints the usage and is not one.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return exitError{2, errors.New(flagWords(fs, err))}
	}
	var neg error
	fs.Visit(func(f *flag.Flag) {
		if neg == nil && isNegative(f) {
			neg = exitError{2, fmt.Errorf("Giá trị %s của --%s không hợp lệ: không được là số âm. Xem: %s", f.Value, f.Name, seeHelp(fs))}
		}
	})
	return neg
}

func seeHelp(fs *flag.FlagSet) string {
	if c := cmdName(fs); c != "" {
		return prog + " " + c + " -h"
	}
	return prog + " -h"
}

// flagWords is the flag package's error said in Vietnamese (its wording is fixed in
// flag.FlagSet.parseOne).
func flagWords(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	see := ". Xem: " + seeHelp(fs)
	forCmd := ""
	if c := cmdName(fs); c != "" {
		forCmd = " cho lệnh " + c
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("Không có tùy chọn --%s%s%s", name, forCmd, see)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		if f := fs.Lookup(name); f != nil && expected(f) != "một giá trị" {
			return fmt.Sprintf("Tùy chọn --%s thiếu giá trị: cần %s%s", name, expected(f), see)
		}
		return fmt.Sprintf("Tùy chọn --%s thiếu giá trị (--%s GIÁ_TRỊ)%s", name, name, see)
	}
	if rest, ok := strings.CutPrefix(msg, "invalid "); ok {
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "boolean "), "value ")
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			value, _ := strconv.Unquote(q)
			after := strings.TrimPrefix(strings.TrimPrefix(rest[len(q):], " for flag -"), " for -")
			name, cause, _ := strings.Cut(after, ": ")
			if f := fs.Lookup(name); f != nil {
				need := expected(f)
				if strings.HasSuffix(cause, "value out of range") {
					need += " (số đã cho quá lớn)"
				}
				return fmt.Sprintf("Giá trị %q của --%s không hợp lệ: cần %s%s", value, name, need, see)
			}
		}
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return fmt.Sprintf("Tham số %q không đúng dạng tùy chọn (--tên hoặc --tên=giá_trị)%s", arg, see)
	}
	return "Tham số không hợp lệ" + see
}

// expected says what a flag's value must be.
func expected(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return "một giá trị"
	}
	switch g.Get().(type) {
	case bool:
		return "true hoặc false"
	case int, int64:
		return "một số nguyên"
	case uint, uint64:
		return "một số nguyên không âm"
	case float64:
		return "một số (dấu chấm thập phân, ví dụ 1.5)"
	case time.Duration:
		return "một khoảng thời gian, ví dụ 30s, 5m, 1h"
	}
	return "một giá trị"
}

func isNegative(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	switch v := g.Get().(type) {
	case int:
		return v < 0
	case int64:
		return v < 0
	case float64:
		return v < 0
	case time.Duration:
		return v < 0
	}
	return false
}

// printFlags lists a command's flags in Vietnamese (flag.PrintDefaults words the default in
// English).
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		fmt.Fprintf(fs.Output(), "  %-12s %s", dash+f.Name, f.Usage)
		if f.DefValue != "" {
			fmt.Fprintf(fs.Output(), " (mặc định: %s)", f.DefValue)
		}
		fmt.Fprintln(fs.Output())
	})
}
