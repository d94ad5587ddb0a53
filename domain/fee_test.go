package domain

import "testing"

func TestFees(t *testing.T) {
	certCopy := FeeRule{Kind: FeePerPage, Tiers: []FeeTier{{FromPage: 1, ToPage: 2, PerPage: 2000}, {FromPage: 3, PerPage: 1000}}, CapPerCopy: 200000}
	cases := []struct {
		name string
		rule FeeRule
		in   FeeInput
		want int64
	}{
		{"free", FeeRule{Kind: FeeNone}, FeeInput{Copies: 3}, 0},
		{"fixed", FeeRule{Kind: FeeFixed, Amount: 10000}, FeeInput{Copies: 4}, 10000},
		{"extract copies", FeeRule{Kind: FeePerCopy, Amount: 8000}, FeeInput{Copies: 3}, 24000},
		{"extract, copies unset counts one", FeeRule{Kind: FeePerCopy, Amount: 8000}, FeeInput{}, 8000},
		{"1 page", certCopy, FeeInput{Copies: 1, Pages: 1}, 2000},
		{"2 pages", certCopy, FeeInput{Copies: 1, Pages: 2}, 4000},
		{"3 pages", certCopy, FeeInput{Copies: 1, Pages: 3}, 5000},
		{"10 pages x2", certCopy, FeeInput{Copies: 2, Pages: 10}, 2 * 12000},
		{"cap 500 pages", certCopy, FeeInput{Copies: 1, Pages: 500}, 200000},
		{"cap exactly 198 pages", certCopy, FeeInput{Copies: 1, Pages: 198}, 200000},
		{"province", FeeRule{Kind: FeeProvince, Amount: 15000}, FeeInput{}, 15000},
	}
	for _, c := range cases {
		if err := c.rule.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := c.rule.Compute(c.in); got != c.want {
			t.Errorf("%s: fee %d, want %d", c.name, got, c.want)
		}
	}
	bad := []FeeRule{{Kind: "weird"}, {Kind: FeePerPage}, {Kind: FeePerPage, Tiers: []FeeTier{{FromPage: 2, PerPage: 1}}},
		{Kind: FeePerPage, Tiers: []FeeTier{{FromPage: 1, PerPage: 1}, {FromPage: 2, PerPage: 1}}}, {Kind: FeeFixed, Amount: -1}}
	for i, r := range bad {
		if r.Validate() == nil {
			t.Errorf("bad rule %d accepted", i)
		}
	}
	if FormatVND(200000) != "200.000 đ" || FormatVND(0) != "0 đ" || FormatVND(1234567) != "1.234.567 đ" {
		t.Error(FormatVND(200000), FormatVND(1234567))
	}
}
