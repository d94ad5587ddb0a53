package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"motcua/domain"
	"motcua/domain/citizen"
)

// procedurePicker is a type-ahead over the catalogue: the clerk types part of a code or a
// name without diacritics ("khai sinh", "ket hon", "1.001193"); the most used procedures
// come first. Up/Down move through the matches, Enter picks one.
type procedurePicker struct {
	entry     *pickerEntry
	list      *widget.List
	matches   []domain.Procedure
	all       []domain.Procedure
	folded    []string
	usage     map[string]int
	selected  int
	listClick bool // false while the code moves the selection, so only a click picks
	onPick    func(domain.Procedure)
	box       *fyne.Container
	listBox   *fyne.Container
	chosen    string // the text shown once a procedure is picked
}

// pickerEntry is an Entry that passes Up/Down to its picker.
type pickerEntry struct {
	widget.Entry
	move func(delta int)
}

func newPickerEntry(move func(int)) *pickerEntry {
	e := &pickerEntry{move: move}
	e.ExtendBaseWidget(e)
	return e
}

func (e *pickerEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyDown:
		e.move(1)
	case fyne.KeyUp:
		e.move(-1)
	default:
		e.Entry.TypedKey(k)
	}
}

func newProcedurePicker(cat *domain.Catalogue, usage map[string]int, onPick func(domain.Procedure)) *procedurePicker {
	p := &procedurePicker{onPick: onPick, usage: usage}
	p.entry = newPickerEntry(p.move)
	p.entry.SetPlaceHolder(T("Gõ tên hoặc mã thủ tục, không cần dấu (ví dụ: khai sinh, chung thuc)"))
	p.setCatalogue(cat, usage)
	p.list = widget.NewList(
		func() int { return len(p.matches) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("")
			meta.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, nil, meta, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.matches) {
				return
			}
			pr := p.matches[id]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(pr.Name)
			c.Objects[1].(*widget.Label).SetText(pr.Field + " · " + pr.Code)
		})
	p.entry.OnChanged = func(text string) {
		if text == p.chosen && text != "" {
			return
		}
		p.chosen = ""
		p.showList(true)
		p.filter()
	}
	p.entry.OnSubmitted = func(string) { p.pickSelected() }
	// A click (or tap) on a match picks it at once.
	p.list.OnSelected = func(id widget.ListItemID) {
		p.selected = id
		if p.listClick {
			p.pickSelected()
		}
	}
	p.filter()
	p.listBox = container.NewGridWrap(fyne.NewSize(640, 190), p.list)
	p.box = container.NewVBox(p.entry, p.listBox)
	return p
}

func (p *procedurePicker) setCatalogue(cat *domain.Catalogue, usage map[string]int) {
	p.usage = usage
	p.all = cat.ByPopularity()
	sort.SliceStable(p.all, func(i, j int) bool { return usage[p.all[i].Code] > usage[p.all[j].Code] })
	p.folded = make([]string, len(p.all))
	for i, pr := range p.all {
		p.folded[i] = citizen.Fold(pr.Name + " " + pr.Code + " " + pr.Field)
	}
}

// filter keeps the procedures whose folded name, code or field contain every typed word.
func (p *procedurePicker) filter() {
	words := strings.Fields(citizen.Fold(p.entry.Text))
	p.matches = p.matches[:0]
	for i, f := range p.folded {
		ok := true
		for _, w := range words {
			if !strings.Contains(f, w) {
				ok = false
				break
			}
		}
		if ok {
			p.matches = append(p.matches, p.all[i])
		}
	}
	p.selected = 0
	if p.list != nil {
		p.listClick = false
		p.list.UnselectAll()
		if len(p.matches) > 0 {
			p.list.Select(0)
			p.list.ScrollToTop()
		}
		p.listClick = true
		p.list.Refresh()
	}
}

func (p *procedurePicker) move(delta int) {
	if len(p.matches) == 0 {
		return
	}
	n := p.selected + delta
	if n < 0 || n >= len(p.matches) {
		return
	}
	p.listClick = false
	p.list.Select(n)
	p.list.ScrollTo(n)
	p.listClick = true
}

func (p *procedurePicker) pickSelected() {
	if p.selected < 0 || p.selected >= len(p.matches) {
		return
	}
	pr := p.matches[p.selected]
	p.chosen = pr.Name
	p.entry.SetText(pr.Name)
	p.showList(false)
	p.onPick(pr)
}

// showList shows the matches while the clerk is choosing, and hides them once chosen.
func (p *procedurePicker) showList(on bool) {
	if on == p.listBox.Visible() {
		return
	}
	if on {
		p.listBox.Show()
	} else {
		p.listBox.Hide()
	}
	p.box.Refresh()
}

// show puts a procedure chosen elsewhere (a declaration carried into intake) in the box, as
// if picked here, without calling back.
func (p *procedurePicker) show(pr domain.Procedure) {
	p.chosen = pr.Name
	p.entry.SetText(pr.Name)
	p.showList(false)
}

func (p *procedurePicker) reset() {
	p.chosen = ""
	p.entry.SetText("")
	p.showList(true)
	p.filter()
}
