package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"motcua/domain"
	"motcua/sync/central"
)

// A sync error carries its cause: errors.Is sees through it, and Error (what the log and the
// command line print) names it; Message (what staff read) keeps to the plain Vietnamese.
func TestErrorWrapsItsCause(t *testing.T) {
	cause := errors.New("disk I/O error: /var/lib/motcua/motcua.db")
	err := localErr("push", fmt.Errorf("outbox: %w", cause))
	if !errors.Is(err, cause) {
		t.Fatal("the cause is not reachable with errors.Is")
	}
	if !strings.Contains(err.Error(), cause.Error()) {
		t.Fatalf("Error() drops the cause: %q", err.Error())
	}
	msg := Message(err)
	if strings.Contains(msg, "disk I/O") || !strings.HasPrefix(msg, "Lỗi cơ sở dữ liệu trên máy trạm") {
		t.Fatalf("Message: %q", msg)
	}

	// A domain rule's message is for people: it may be quoted, and is not printed twice.
	rule := &domain.RuleError{Code: "x", Msg: "Hồ sơ đã được trả kết quả."}
	err = localErr("pull", rule)
	if got := Message(err); got != "Lỗi cơ sở dữ liệu trên máy trạm: "+rule.Msg {
		t.Fatalf("Message with a rule: %q", got)
	}
	if got := err.Error(); strings.Count(got, rule.Msg) != 1 {
		t.Fatalf("Error with a rule: %q", got)
	}

	// Anything that is not a sync error or a rule is shown as an internal error.
	if got := Message(errors.New("runtime: index out of range")); got != MsgInternal {
		t.Fatalf("Message of a plain error: %q", got)
	}
	if got := Message(msgErr(MsgCaptive)); got != MsgCaptive {
		t.Fatalf("Message of a sync error without a cause: %q", got)
	}
}

// msgErr is a sync error with a message and no cause.
func msgErr(msg string) error { return &Error{Class: ClassNetwork, Msg: msg} }

type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

// A transport failure the engine has no plain words for: the status bar says so in
// Vietnamese and the log gets the transport's own words.
func TestStatusShowsNoRawTransportError(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	var logs bytes.Buffer
	cause := errors.New("tls: frobnication of the session ticket failed")
	e := h.engine(a, func(o *Options) {
		o.HTTPClient = &http.Client{Transport: failingTransport{cause}}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	_, err := e.SyncOnce(context.Background())
	if !isClass(err, ClassNetwork) || !errors.Is(err, cause) {
		t.Fatalf("SyncOnce: %v", err)
	}
	st := e.Status()
	if st.LastError == "" || strings.Contains(st.LastError, "frobnication") || !strings.HasPrefix(st.LastError, "Không kết nối được máy chủ") {
		t.Fatalf("status text %q", st.LastError)
	}
	if !strings.Contains(logs.String(), "frobnication") {
		t.Fatalf("the cause is not in the log:\n%s", logs.String())
	}
}
