package ui

import "fyne.io/fyne/v2"

var fyneKeyReturn = fyne.KeyEvent{Name: fyne.KeyReturn}
