// Package forms prints the paper a counter hands out, as PDF for the system viewer: the
// standard forms of the one-stop mechanism (Circular 01/2018/TT-VPCP: Mẫu 01 receipt and
// appointment slip with its tracking QR code, Mẫu 02 supplement request, Mẫu 03 refusal,
// Mẫu 04 apology with a new due date, Mẫu 05 control slip) and the return slip of the
// result-return book. Each is drawn from a folded domain.Dossier, A4 portrait, in Fyne's
// bundled Noto Sans, with every time in Vietnam time.
//
// Form numbers, titles and their legal basis are data (forms.json, see ParseTemplates):
// the 2025 reform may have renumbered the forms, and a template set arrives with the
// catalogue. The layout follows the circular's forms and lives here.
//
// Of the project and the GUI toolkit it imports only domain and, for the font bytes, Fyne's
// theme package (besides fpdf, go-qrcode and x/text): never the store, the sync engine or
// the UI, so a form can be printed from anywhere and tested alone.
package forms
