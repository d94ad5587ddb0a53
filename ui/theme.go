package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// counterTheme wraps the current theme: always the light variant (a counter faces paper
// forms and daylight), with every text and control colour at least 4.5:1 against what it is
// drawn on (WCAG AA; TestThemeContrast checks each pair). Fyne's light palette is paler than
// that: unticked boxes drawn in #e3e3e3 on white, helper text (low importance labels use the
// disabled colour) in #e3e3e3, success text in #43f436, warnings in #ff9800.
type counterTheme struct{ fyne.Theme }

// NewTheme returns the app's theme over base (theme.DefaultTheme() when nil).
func NewTheme(base fyne.Theme) fyne.Theme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	return counterTheme{base}
}

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// counterColors replace the base theme's light palette where it is too pale.
var counterColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNamePrimary:             rgb(0x1a5fb4), // a slightly deeper blue for the buttons that matter
	theme.ColorNameHyperlink:           rgb(0x1a5fb4),
	theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
	theme.ColorNameForeground:          rgb(0x1f1f1f),
	theme.ColorNameDisabled:            rgb(0x5c5c5c), // also helper text (low importance labels)
	theme.ColorNamePlaceHolder:         rgb(0x5c5c5c),
	theme.ColorNameInputBorder:         rgb(0x6b6b6b), // the outline of entries, unticked boxes and radios
	theme.ColorNameSuccess:             rgb(0x156a28), // dark green: readable as text and behind white
	theme.ColorNameWarning:             rgb(0x8a4700), // dark amber
	theme.ColorNameError:               rgb(0xb01e17),
	theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
	theme.ColorNameForegroundOnWarning: rgb(0xffffff),
	theme.ColorNameForegroundOnError:   rgb(0xffffff),
	// The selected row: a light tint of the primary blue, light enough for coloured text on it.
	theme.ColorNameSelection: color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0x30},
}

func (t counterTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := counterColors[n]; ok {
		return c
	}
	return t.Theme.Color(n, theme.VariantLight)
}
