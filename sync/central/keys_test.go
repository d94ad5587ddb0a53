package central

import (
	"crypto/ed25519"
	"sync"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// testKeys holds the signing key of every device the tests enroll, by device id.
var testKeys sync.Map

// enrollReq is a workstation's enrollment request: its own new key and a nonce.
func enrollReq(code, deviceID string) api.EnrollRequest {
	if deviceID == "" {
		deviceID = uuid.Must(uuid.NewV7()).String()
	}
	_, k, _ := ed25519.GenerateKey(nil)
	testKeys.Store(deviceID, k)
	return api.EnrollRequest{Code: code, DeviceName: "Quầy", DeviceID: deviceID,
		PublicKey: domain.EncodeKey(k.Public().(ed25519.PublicKey)), Nonce: "nonce-of-" + deviceID}
}

// signed signs an event with its device's test key (unchanged when the device has none).
func signed(e domain.Event) domain.Event {
	if k, ok := testKeys.Load(e.Device); ok {
		e.Sign(k.(ed25519.PrivateKey), "")
	}
	return e
}
