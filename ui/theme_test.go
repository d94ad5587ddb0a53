package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio, from 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composites a possibly translucent colour on an opaque one.
func over(top, bottom color.Color) color.Color {
	n := color.NRGBAModel.Convert(top).(color.NRGBA)
	br, bg, bb, _ := bottom.RGBA()
	a := float64(n.A) / 0xff
	mix := func(t uint8, b uint32) uint8 { return uint8(math.Round(float64(t)*a + float64(b>>8)*(1-a))) }
	return color.NRGBA{R: mix(n.R, br), G: mix(n.G, bg), B: mix(n.B, bb), A: 0xff}
}

// Every text and control colour the screens draw is at least 4.5:1 against what it is drawn
// on (WCAG AA), in the light variant and when the system asks for dark (issue 15, item 6).
func TestThemeContrast(t *testing.T) {
	th := NewTheme(nil)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v) }
		bg := c(theme.ColorNameBackground)
		surfaces := map[string]color.Color{
			"background": bg, "input": c(theme.ColorNameInputBackground), "button": c(theme.ColorNameButton),
			"disabled button": c(theme.ColorNameDisabledButton), "header": c(theme.ColorNameHeaderBackground),
			"menu": c(theme.ColorNameMenuBackground), "overlay": c(theme.ColorNameOverlayBackground),
			"hover": over(c(theme.ColorNameHover), bg), "pressed": over(c(theme.ColorNamePressed), bg),
			"selection": over(c(theme.ColorNameSelection), bg), "focus": over(c(theme.ColorNameFocus), bg),
			// Hỗ trợ viết's tinted refusal box.
			"error tint": over(assistTint(c(theme.ColorNameError), 0x26), bg),
		}
		texts := []fyne.ThemeColorName{
			theme.ColorNameForeground,  // every label, entry and button text
			theme.ColorNameDisabled,    // helper text (low importance labels), disabled widgets
			theme.ColorNamePlaceHolder, // hints in empty entries, chart captions
			theme.ColorNamePrimary,     // high importance labels
			theme.ColorNameHyperlink,
			theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError, // messages
		}
		for _, fg := range texts {
			for name, surface := range surfaces {
				if r := contrast(c(fg), surface); r < 4.5 {
					t.Errorf("variant %d: %s on %s: %.2f:1, want ≥ 4.5", v, fg, name, r)
				}
			}
		}
		// Controls: the outline of an entry, an unticked checkbox or radio (drawn in the input
		// border colour over the input background, on the window's background).
		for name, surface := range map[string]color.Color{"background": bg, "input": c(theme.ColorNameInputBackground)} {
			if r := contrast(c(theme.ColorNameInputBorder), surface); r < 4.5 {
				t.Errorf("variant %d: input border on %s: %.2f:1, want ≥ 4.5", v, name, r)
			}
		}
		// Text on filled buttons and badges.
		for fg, fill := range map[fyne.ThemeColorName]fyne.ThemeColorName{
			theme.ColorNameForegroundOnPrimary: theme.ColorNamePrimary,
			theme.ColorNameForegroundOnSuccess: theme.ColorNameSuccess,
			theme.ColorNameForegroundOnWarning: theme.ColorNameWarning,
			theme.ColorNameForegroundOnError:   theme.ColorNameError,
		} {
			if r := contrast(c(fg), c(fill)); r < 4.5 {
				t.Errorf("variant %d: %s on %s: %.2f:1, want ≥ 4.5", v, fg, fill, r)
			}
		}
		// Disabled text stays distinguishable from enabled text.
		if r := contrast(c(theme.ColorNameForeground), c(theme.ColorNameDisabled)); r < 2 {
			t.Errorf("variant %d: enabled and disabled text too alike (%.2f:1)", v, r)
		}
	}
}

// A paper's name ticks and unticks its checkbox, as the box itself does.
func TestPaperLabelTogglesItsBox(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 16, 9, 30))
	h.setUp()
	h.signIn(testClerk)
	s := intakeOf(t, h)
	pick(t, h, s, "khai sinh")
	if len(s.docChecks) == 0 {
		t.Fatal("no papers listed")
	}
	var label *toggleLabel
	walkObjects(s.docsBox, func(o fyne.CanvasObject) {
		if l, ok := o.(*toggleLabel); ok && label == nil {
			label = l
		}
	})
	if label == nil || label.check != s.docChecks[0] {
		t.Fatal("the first paper's name is not tied to its box")
	}
	test.Tap(label)
	if !s.docChecks[0].Checked {
		t.Fatal("tapping the paper's name did not tick its box")
	}
	test.Tap(label)
	if s.docChecks[0].Checked {
		t.Fatal("tapping it again did not untick it")
	}
}

// The dashboard's own colours are text too — a tile's figure due today, a target's caption
// and the values along a trend line, a bar's note — on the window's background or a tile's
// (input background): at least 4.5:1 (issue 15, item 6).
func TestChartColoursContrast(t *testing.T) {
	th := NewTheme(nil)
	bg := th.Color(theme.ColorNameBackground, theme.VariantLight)
	tile := th.Color(theme.ColorNameInputBackground, theme.VariantLight)
	for name, c := range map[string]color.Color{"series orange": colorSeriesOrange, "series blue": colorSeriesBlue,
		"target met": colorMet, "target missed": colorBelow} {
		for on, surface := range map[string]color.Color{"background": bg, "tile": tile} {
			if r := contrast(c, surface); r < 4.5 {
				t.Errorf("%s on %s: %.2f:1, want ≥ 4.5", name, on, r)
			}
		}
	}
}
