// Package forms prints the paper a counter hands out, as PDF for the system viewer: the
// standard forms of the one-stop mechanism (Circular 03/2025/TT-VPCP: Mẫu 01 receipt and
// appointment slip with its tracking QR code, Mẫu 02 supplement request, Mẫu 03 refusal,
// Mẫu 04 letter of apology and request for extension, Mẫu 05 stop notice, Mẫu 06 control
// slip, Mẫu 07 tracking book; and the 2018 forms of Circular 01/2018/TT-VPCP for reprints of
// what was issued under it) and the return slip of the result-return book. Each is drawn from
// a folded domain.Dossier, A4 portrait, in Fyne's bundled Noto Sans, with every time in
// Vietnam time.
//
// Form numbers, titles and their legal basis are data (forms.json, see ParseTemplates): one
// set per circular with the date it applies from, and a form prints under the set in force
// on the day it was issued. The layout follows the circular's forms and lives here.
//
// Of the project and the GUI toolkit it imports only domain and, for the font bytes, Fyne's
// theme package (besides fpdf, go-qrcode and x/text): never the store, the sync engine or
// the UI, so a form can be printed from anywhere and tested alone.
package forms
