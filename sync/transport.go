package sync

import "net/http"

// EnrollOption adjusts an enrollment.
type EnrollOption func(*enrollOptions)

type enrollOptions struct {
	allowPlainHTTP bool
	hc             *http.Client
}

// AllowPlainHTTP records an administrator's choice to reach the server by plain http://
// on another machine (a closed local network without TLS). The choice is kept with the
// enrollment, and the sync panel warns for as long as the connection is not encrypted.
// Without it, http:// to anything but this machine is refused (NormaliseServerURL).
func AllowPlainHTTP(allow bool) EnrollOption {
	return func(o *enrollOptions) { o.allowPlainHTTP = allow }
}

// WithHTTPClient enrolls through hc (its transport, its trusted certificates) instead of
// the shared default client; the engine takes the same client in Options.HTTPClient.
func WithHTTPClient(hc *http.Client) EnrollOption {
	return func(o *enrollOptions) {
		if hc != nil {
			o.hc = hc
		}
	}
}
