package forms

import (
	"fmt"
	"sort"
	"strings"

	"motcua/domain"
)

// The facts of the form data (forms.json) and of the declarations that are flagged as
// not checked against the published text, for an admin to check with the province.

// Unconfirmed lists the flagged facts of the form data: those of each template set (such
// as the date it applies from, or the basis line of all its forms), then those of single
// forms, oldest set first.
func (t Templates) Unconfirmed() []domain.UnconfirmedFact {
	if len(t.Sets) == 0 {
		return DefaultTemplates().Unconfirmed()
	}
	var out []domain.UnconfirmedFact
	for _, s := range t.Sets {
		ids := make([]string, 0, len(s.Forms))
		for id := range s.Forms {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, key := range s.Unconfirmed {
			f := domain.UnconfirmedFact{Source: domain.UnconfirmedForms, Subject: "Bộ mẫu theo " + s.Circular, Key: key, Fact: domain.UnconfirmedFactName(domain.UnconfirmedForms, key)}
			switch key {
			case "applies_from":
				f.Value = s.From().Format("02/01/2006")
				f.Note = "Giấy tờ lập từ ngày này được in theo bộ mẫu của " + s.Circular + "."
			case "circular":
				f.Value = s.Circular
			default:
				// A fact of every form in the set: the value the first form gives.
				for _, id := range ids {
					if v := templateValue(s.Forms[id], key); v != "" {
						f.Value = v
						break
					}
				}
			}
			out = append(out, f)
		}
		for _, id := range ids {
			tpl := s.Forms[id]
			for _, key := range tpl.Unconfirmed {
				out = append(out, domain.UnconfirmedFact{Source: domain.UnconfirmedForms, Subject: strings.TrimSpace(tpl.Number + " " + tpl.Title),
					Key: key, Fact: domain.UnconfirmedFactName(domain.UnconfirmedForms, key), Value: templateValue(tpl, key), Note: tpl.Note})
			}
		}
	}
	return out
}

func templateValue(tpl Template, key string) string {
	switch key {
	case "number":
		return tpl.Number
	case "title":
		return tpl.Title
	case "subtitle":
		return tpl.Subtitle
	case "basis":
		return tpl.Basis
	}
	return ""
}

// DeclarationsUnconfirmed lists the flagged facts of the declarations, by template id.
func DeclarationsUnconfirmed(d domain.Declarations) []domain.UnconfirmedFact {
	var out []domain.UnconfirmedFact
	for _, id := range d.IDs() {
		t, _ := d.Get(id)
		for _, key := range t.Unconfirmed {
			f := domain.UnconfirmedFact{Source: domain.UnconfirmedDeclarations, Subject: strings.TrimSpace(t.Number + " " + t.Title),
				Key: key, Fact: domain.UnconfirmedFactName(domain.UnconfirmedDeclarations, key), Note: t.Note, Ref: t.Source}
			switch {
			case key == "basis":
				f.Value = t.Basis
			case key == "title":
				f.Value = t.Title
			case key == "commitment":
				f.Value = t.Commitment
			case key == "summary":
				f.Value = t.Summary
			case key == "signers":
				var names []string
				for _, s := range t.Signers {
					names = append(names, s.Title)
				}
				f.Value = strings.Join(names, "; ")
			case strings.HasPrefix(key, "field:"):
				k := strings.TrimPrefix(key, "field:")
				for _, s := range t.Sections {
					for _, fl := range s.Fields {
						if fl.Key == k {
							f.Fact = "Mục «" + strings.TrimSuffix(fl.Ask(), ":") + "»"
							f.Value = fl.Hint
							if len(fl.Options) > 0 {
								f.Value = strings.TrimSpace("Lựa chọn: " + strings.Join(fl.Options, "; ") + ". " + fl.Hint)
							}
						}
					}
				}
			case strings.HasPrefix(key, "section:"):
				var i int
				if _, err := fmt.Sscanf(key, "section:%d", &i); err == nil && i >= 0 && i < len(t.Sections) {
					s := t.Sections[i]
					title := s.Title
					if title == "" {
						title = fmt.Sprintf("%d", i+1)
					}
					f.Fact = "Phần «" + title + "»"
					var labels []string
					for _, fl := range s.Fields {
						labels = append(labels, strings.TrimSuffix(fl.Label, ":"))
					}
					f.Value = strings.Join(labels, "; ")
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// UnconfirmedFacts lists every flagged fact of the data a workstation uses: the
// catalogue's, then the form data's, then the declarations'.
func UnconfirmedFacts(cat *domain.Catalogue, t Templates, d domain.Declarations) []domain.UnconfirmedFact {
	var out []domain.UnconfirmedFact
	if cat != nil {
		out = append(out, cat.Unconfirmed()...)
	}
	out = append(out, t.Unconfirmed()...)
	return append(out, DeclarationsUnconfirmed(d)...)
}
