package main

import (
	"os"
	"testing"

	"motcua/localdb"
)

func TestMain(m *testing.M) {
	localdb.LightBackupKeys() // scrypt at its real cost takes seconds per backup under -race
	os.Exit(m.Run())
}
