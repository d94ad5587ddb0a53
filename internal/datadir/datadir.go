// Package datadir says where motcua keeps its data when --data is not given: the OS's
// per-user folder for application data that stays on this machine.
//
//	Windows  %LOCALAPPDATA%\motcua          (C:\Users\<user>\AppData\Local\motcua)
//	Linux    $XDG_DATA_HOME/motcua          (~/.local/share/motcua)
//	macOS    ~/Library/Application Support/motcua
//
// Not os.UserConfigDir: on Windows that is %APPDATA% (Roaming), which a domain with roaming
// profiles copies to a server at every log-off and onto any PC the user logs on to — a
// database that names one workstation must not travel; on Linux it is ~/.config, meant for
// small settings files, not gigabytes of data and scans. A folder already in use at the old
// place (os.UserConfigDir()/motcua) is still found, so nothing moves under anyone's feet.
// It imports nothing from the project.
package datadir

import (
	"os"
	"path/filepath"
	"runtime"
)

// Name is the folder's name under the OS's application data folder.
const Name = "motcua"

// marker is the file whose presence means a folder holds motcua data.
const marker = "motcua.db"

// Default is the data folder to use when --data is not given.
func Default() string {
	home, _ := os.UserHomeDir()
	legacy := ""
	if dir, err := os.UserConfigDir(); err == nil {
		legacy = filepath.Join(dir, Name)
	}
	return choose(defaultFor(runtime.GOOS, os.Getenv, home), legacy, exists)
}

// choose keeps data where it already is: the legacy folder when only it holds data.
func choose(preferred, legacy string, exists func(string) bool) string {
	if legacy != "" && legacy != preferred && !exists(filepath.Join(preferred, marker)) && exists(filepath.Join(legacy, marker)) {
		return legacy
	}
	return preferred
}

func defaultFor(goos string, getenv func(string) string, home string) string {
	switch goos {
	case "windows":
		for _, v := range []string{"LOCALAPPDATA", "APPDATA"} {
			if d := getenv(v); d != "" {
				return filepath.Join(d, Name)
			}
		}
		if home != "" {
			return filepath.Join(home, "AppData", "Local", Name)
		}
	case "darwin", "ios":
		if home != "" {
			return filepath.Join(home, "Library", "Application Support", Name)
		}
	default:
		// XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
		if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, Name)
		}
		if home != "" {
			return filepath.Join(home, ".local", "share", Name)
		}
	}
	return Name + "-data" // no home at all (a service account): beside the working folder
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
