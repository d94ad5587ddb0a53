// Package query holds the shapes the screens read from the local store and the settings
// they edit: the queue's rows and filter, a dossier's timeline, the dashboard, counts,
// the workstation's configuration, backups in a listing, and why a sign-in was refused.
// localdb fills them; ui shows them, without importing localdb. It imports only domain
// (and the standard library): no SQL, no UI.
package query
