// Package locale makes a POSIX locale such as LANG=C.UTF-8 readable to Fyne before Fyne
// reads it.
//
// Fyne's lang package parses the user's locale in its own init and logs "Error parsing user
// locale C" for "C.UTF-8" (github.com/jeandeaual/go-locale reduces it to "C", which is not a
// BCP 47 tag). An init in motcua's own packages runs too late: Go initialises packages in
// the order of their import paths once their imports are ready, and "motcua/…" sorts after
// "fyne.io/…". This package is a module of its own whose path, "early.motcua/locale", sorts
// before "fyne.io", so importing it from main runs its init first. It imports only os and
// strings; nothing may be added that would make it wait for Fyne.
package locale

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LANGUAGE=en when the locale that decides messages (LC_ALL, LC_MESSAGES, then LANG,
// as gettext and go-locale read them) is a POSIX locale with a suffix ("C.UTF-8",
// "POSIX.utf8") and LANGUAGE is unset. go-locale then reads "en"; programs started from
// the app keep their LC_* as they were (LANGUAGE is ignored under a C locale). Exactly
// "C" or "POSIX" needs nothing: go-locale already treats it as no locale. It reports
// whether it changed anything.
func Fix(getenv func(string) string, setenv func(string, string) error) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		lang, _, _ := strings.Cut(v, ".")
		lang, _, _ = strings.Cut(lang, "@")
		if v != lang && (lang == "C" || lang == "POSIX") {
			return setenv("LANGUAGE", "en") == nil
		}
		return false
	}
	return false
}
