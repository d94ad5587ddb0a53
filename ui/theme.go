package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// counterTheme wraps the current theme: always the light variant (a counter faces paper
// forms and daylight), with a slightly deeper primary colour for the buttons that matter.
type counterTheme struct{ fyne.Theme }

// NewTheme returns the app's theme over base (theme.DefaultTheme() when nil).
func NewTheme(base fyne.Theme) fyne.Theme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	return counterTheme{base}
}

func (t counterTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		return color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0xff}
	}
	return t.Theme.Color(n, theme.VariantLight)
}
