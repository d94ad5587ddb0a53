package domain

import "testing"

func TestCommuneCommittee(t *testing.T) {
	for s, want := range map[string]bool{
		"":                             true,
		"UBND xã An Hưng":              true,
		"UBND PHƯỜNG LÊ CHÂN":          true,
		"UBND đặc khu Bạch Long Vĩ":    true,
		"Ủy ban nhân dân xã Tiên Lãng": true,
		"Uỷ ban nhân dân phường Hồng Bàng": true,
		"UBND  xã   Vĩnh Bảo":              true,
		"UBND thành phố Hải Phòng":         false,
		"UBND huyện An Lão":                false,
		"UBND xã":                          false,
		"Sở Tư pháp":                       false,
	} {
		if got := CommuneCommittee(s); got != want {
			t.Errorf("CommuneCommittee(%q) = %v, want %v", s, got, want)
		}
	}
}
