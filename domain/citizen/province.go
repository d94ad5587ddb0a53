package citizen

import "sort"

// Province is a province or centrally-run city as coded in the first three
// digits of a personal ID number: the place where the birth was registered.
type Province struct {
	Code string // three digits, e.g. "031"
	Name string // Vietnamese name, NFC, e.g. "Hải Phòng"
}

// provinces is Appendix I of Circular 07/2016/TT-BCA (kept by Circular
// 59/2021/TT-BCA): the 63 provinces and cities before the 2025 merger. The
// codes are the national statistical province codes with a leading zero.
// Numbers already issued keep their code after the 2025 reorganisation, so the
// names here are historical and must not be "updated" to the 34 new provinces.
var provinces = map[string]string{
	"001": "Hà Nội",
	"002": "Hà Giang",
	"004": "Cao Bằng",
	"006": "Bắc Kạn",
	"008": "Tuyên Quang",
	"010": "Lào Cai",
	"011": "Điện Biên",
	"012": "Lai Châu",
	"014": "Sơn La",
	"015": "Yên Bái",
	"017": "Hòa Bình",
	"019": "Thái Nguyên",
	"020": "Lạng Sơn",
	"022": "Quảng Ninh",
	"024": "Bắc Giang",
	"025": "Phú Thọ",
	"026": "Vĩnh Phúc",
	"027": "Bắc Ninh",
	"030": "Hải Dương",
	"031": "Hải Phòng",
	"033": "Hưng Yên",
	"034": "Thái Bình",
	"035": "Hà Nam",
	"036": "Nam Định",
	"037": "Ninh Bình",
	"038": "Thanh Hóa",
	"040": "Nghệ An",
	"042": "Hà Tĩnh",
	"044": "Quảng Bình",
	"045": "Quảng Trị",
	"046": "Thừa Thiên Huế",
	"048": "Đà Nẵng",
	"049": "Quảng Nam",
	"051": "Quảng Ngãi",
	"052": "Bình Định",
	"054": "Phú Yên",
	"056": "Khánh Hòa",
	"058": "Ninh Thuận",
	"060": "Bình Thuận",
	"062": "Kon Tum",
	"064": "Gia Lai",
	"066": "Đắk Lắk",
	"067": "Đắk Nông",
	"068": "Lâm Đồng",
	"070": "Bình Phước",
	"072": "Tây Ninh",
	"074": "Bình Dương",
	"075": "Đồng Nai",
	"077": "Bà Rịa - Vũng Tàu",
	"079": "TP. Hồ Chí Minh",
	"080": "Long An",
	"082": "Tiền Giang",
	"083": "Bến Tre",
	"084": "Trà Vinh",
	"086": "Vĩnh Long",
	"087": "Đồng Tháp",
	"089": "An Giang",
	"091": "Kiên Giang",
	"092": "Cần Thơ",
	"093": "Hậu Giang",
	"094": "Sóc Trăng",
	"095": "Bạc Liêu",
	"096": "Cà Mau",
}

// ProvinceName returns the name of the province with the given three-digit
// code, and whether the code is known.
func ProvinceName(code string) (string, bool) {
	name, ok := provinces[code]
	return name, ok
}

// Provinces returns all 63 provinces ordered by code.
func Provinces() []Province {
	out := make([]Province, 0, len(provinces))
	for c, n := range provinces {
		out = append(out, Province{Code: c, Name: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
