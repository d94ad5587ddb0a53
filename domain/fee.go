package domain

import "fmt"

// FeeInput is what a fee depends on besides the rule.
type FeeInput struct {
	Copies int // number of copies requested (bản sao); at least 1 where the rule counts copies
	Pages  int // pages of the original, for per-page rules
}

// NeedsCopies reports whether the fee depends on the number of copies.
func (r FeeRule) NeedsCopies() bool { return r.Kind == FeePerCopy || r.Kind == FeePerPage }

// NeedsPages reports whether the fee depends on the number of pages.
func (r FeeRule) NeedsPages() bool { return r.Kind == FeePerPage }

// Validate checks the rule's data.
func (r FeeRule) Validate() error {
	switch r.Kind {
	case FeeNone:
	case FeeFixed, FeePerCopy, FeeProvince:
		if r.Amount < 0 {
			return fmt.Errorf("fee: negative amount")
		}
	case FeePerPage:
		if len(r.Tiers) == 0 {
			return fmt.Errorf("fee: per-page rule without tiers")
		}
		next := 1
		for i, t := range r.Tiers {
			if t.FromPage != next || t.PerPage < 0 || (t.ToPage != 0 && t.ToPage < t.FromPage) {
				return fmt.Errorf("fee: tier %d does not follow on from page %d", i, next)
			}
			if t.ToPage == 0 && i != len(r.Tiers)-1 {
				return fmt.Errorf("fee: open tier %d must be the last", i)
			}
			next = t.ToPage + 1
		}
		if r.CapPerCopy < 0 {
			return fmt.Errorf("fee: negative cap")
		}
	default:
		return fmt.Errorf("fee: unknown kind %q", r.Kind)
	}
	return nil
}

// Compute returns the fee in đồng.
func (r FeeRule) Compute(in FeeInput) int64 {
	copies := int64(max(in.Copies, 1))
	switch r.Kind {
	case FeeFixed, FeeProvince:
		return r.Amount
	case FeePerCopy:
		return r.Amount * copies
	case FeePerPage:
		var perCopy int64
		for _, t := range r.Tiers {
			if in.Pages < t.FromPage {
				break
			}
			last := in.Pages
			if t.ToPage != 0 && t.ToPage < last {
				last = t.ToPage
			}
			perCopy += int64(last-t.FromPage+1) * t.PerPage
		}
		if r.CapPerCopy > 0 && perCopy > r.CapPerCopy {
			perCopy = r.CapPerCopy
		}
		return perCopy * copies
	}
	return 0
}

// FormatVND formats an amount the Vietnamese way: 200.000 đ.
func FormatVND(amount int64) string { return FormatNumber(amount) + " đ" }
