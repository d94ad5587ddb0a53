package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// newFlagSet makes a command's flag set whose -h lists the flags in Vietnamese
// (flag.PrintDefaults words them in English, under «Usage of serve:»).
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Cách dùng: motcua-central %s [tham số]\n", name)
		printFlags(fs)
	}
	return fs
}

// parseFlags parses a command's flags. A mistyped flag or value is said once, in
// Vietnamese, by the error returned (the flag package would print its English message and
// the whole flag list, and main would print the error again); -h still lists the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	}
	return flagError(fs, err)
}

var (
	reUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reNoValue   = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	reBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -+([^:]*):`)
)

// flagError words the flag package's parse errors in Vietnamese.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	help := fmt.Sprintf("xem: motcua-central %s -h", fs.Name())
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("lệnh %s không có tham số --%s (%s)", fs.Name(), m[1], help)
	}
	if m := reNoValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("tham số --%s cần một giá trị (%s)", m[1], help)
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("giá trị %q của --%s không hợp lệ: %s", m[1], m[2], wants(fs.Lookup(m[2])))
	}
	return fmt.Errorf("tham số không hợp lệ: %s (%s)", strings.TrimPrefix(msg, "flag: "), help)
}

// wants says what kind of value a flag takes.
func wants(f *flag.Flag) string {
	if f == nil {
		return "giá trị không đúng kiểu"
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return "giá trị không đúng kiểu"
	}
	switch g.Get().(type) {
	case int, int64, uint, uint64:
		return "cần một số nguyên, ví dụ " + f.DefValue
	case float64:
		return "cần một số, ví dụ " + f.DefValue
	case time.Duration:
		return "cần một khoảng thời gian, ví dụ 30s, 5m hoặc 1h"
	case bool:
		return "cần true hoặc false"
	}
	return "giá trị không đúng kiểu"
}
