// Package citizen validates and normalises what a counter clerk types or scans
// about a citizen: the 12-digit personal identification number (số định danh
// cá nhân, printed on the CCCD / Căn cước card) and the old 9-digit CMND, the
// text payload of the QR code on a chip ID card, Vietnamese phone numbers, and
// Vietnamese text (names, addresses, search keys).
//
// Every failure is an [*Error] with a stable Code for the UI and a Vietnamese
// message a clerk can act on; [Messages] and [MessagesEN] list them all so the
// UI can build its translation files.
//
// The package is pure: no I/O, no clock (callers pass "now"), no global state
// beyond read-only tables, and it must not import any other motcua package, so
// every rule here is a fast table-driven test and a fuzz target.
package citizen
