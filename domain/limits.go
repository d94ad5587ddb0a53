package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Size limits of one event, the same wherever it is checked: when a workstation writes it,
// when the city takes it in a push or records it, and when a workstation pulls it. They
// bound what one event can make a receiver hold, so a broken or hostile workstation cannot
// exhaust the memory of the city or of the unit's other counters with a single event.
//
// Every payload the app makes fits with room to spare: the longest free text it accepts is
// MaxNote (2,000 characters, at most 8,000 bytes in UTF-8); a full intake with every text at
// its maximum and the catalogue's longest checklist is under 20 KiB; the largest declaration
// (23 values of at most 300 characters) is under 25 KiB.
const (
	MaxEventPayload = 64 << 10 // bytes of the payload's JSON
	MaxEventActor   = 128      // bytes; staff usernames have at most 32
	MaxEventDevice  = 64       // bytes; a device id is a 36-character UUID, or "central"
	MaxEventUnit    = 64       // bytes; unit codes have at most 41 characters
	MaxEventType    = 64       // bytes; the longest type name has 28
	MaxEventID      = 64       // bytes of the event id and of the stream id (UUIDs: 36)
	MaxPayloadText  = 8 << 10  // bytes of any one string (or key) in the payload, once decoded
	MaxPayloadDepth = 16       // nesting of objects and arrays; payloads use at most 4
)

// CheckLimits reports, as a *RuleError (ErrInvalid) with a Vietnamese message, the first
// limit an event exceeds. It looks at sizes only: Check and DecodePayload judge the
// content. It never echoes the oversized content itself.
func (e Event) CheckLimits() error {
	for _, f := range []struct {
		name string
		n    int
		max  int
	}{
		{"mã sự kiện (id)", len(e.ID), MaxEventID},
		{"mã luồng (stream_id)", len(e.StreamID), MaxEventID},
		{"loại luồng (stream)", len(e.Stream), MaxEventType},
		{"loại sự kiện (type)", len(e.Type), MaxEventType},
		{"người thực hiện (actor)", len(e.Actor), MaxEventActor},
		{"mã máy trạm (device)", len(e.Device), MaxEventDevice},
		{"mã đơn vị (unit)", len(e.Unit), MaxEventUnit},
		{"nội dung (payload)", len(e.Payload), MaxEventPayload},
	} {
		if f.n > f.max {
			return limitError(fmt.Sprintf("Sự kiện vượt giới hạn kích thước: %s dài %s, tối đa %s.", f.name, FormatBytes(f.n), FormatBytes(f.max)))
		}
	}
	longest, depth := payloadShape(e.Payload)
	switch {
	case longest > MaxPayloadText:
		return limitError(fmt.Sprintf("Sự kiện vượt giới hạn kích thước: một đoạn văn bản trong nội dung dài %s, tối đa %s.", FormatBytes(longest), FormatBytes(MaxPayloadText)))
	case depth > MaxPayloadDepth:
		return limitError(fmt.Sprintf("Sự kiện vượt giới hạn: nội dung lồng nhau %d cấp, tối đa %d cấp.", depth, MaxPayloadDepth))
	}
	return nil
}

func limitError(msg string) error {
	return &RuleError{Code: "event.too_large", Msg: msg, Kind: ErrInvalid}
}

// FormatBytes writes a size the way a clerk reads it: "128 byte", "64 KiB", "5,0 MiB", "1,1 GiB".
func FormatBytes(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d byte", n)
	case n < 1<<20:
		if n%(1<<10) == 0 {
			return fmt.Sprintf("%d KiB", n>>10)
		}
		return strings.Replace(fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)), ".", ",", 1)
	case n < 1<<30:
		return strings.Replace(fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)), ".", ",", 1)
	default:
		return strings.Replace(fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)), ".", ",", 1)
	}
}

// payloadShape scans JSON once, without decoding it, and returns the longest string (key
// or value, in bytes once unescaped) and the deepest nesting of objects and arrays. It
// never fails: on malformed JSON it returns what it saw (Check rejects such a payload).
func payloadShape(raw []byte) (longest, maxDepth int) {
	depth := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{', '[':
			depth++
			maxDepth = max(maxDepth, depth)
		case '}', ']':
			depth--
		case '"':
			n := 0
			i++
			for i < len(raw) && raw[i] != '"' {
				if raw[i] != '\\' {
					n++
					i++
					continue
				}
				// An escape: \uXXXX stands for a code point (up to 3 bytes in UTF-8; a
				// surrogate pair counts as 6, slightly over its 4), the others for one byte.
				if i+1 < len(raw) && raw[i+1] == 'u' {
					if l := utf8.RuneLen(rune(hexValue(raw[i+2 : min(i+6, len(raw))]))); l > 0 {
						n += l
					} else {
						n += 3 // half of a surrogate pair
					}
					i += 6
				} else {
					n++
					i += 2
				}
			}
			longest = max(longest, n)
		}
	}
	return longest, maxDepth
}

// hexValue reads up to four hex digits; anything else counts as the largest code point a
// \u escape can name, so a malformed escape never undercounts.
func hexValue(b []byte) int {
	v := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0xFFFF
		}
	}
	return v
}
