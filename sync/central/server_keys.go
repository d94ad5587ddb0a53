package central

import (
	"net/http"

	"motcua/sync/api"
)

// handleKeys is GET /devices/keys: the city's key and the keys of the caller's unit, each
// signed by the city.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request, dev Device) {
	resp, err := s.c.DeviceKeys(r.Context(), dev.Unit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, resp)
}

// handleRegisterKey is POST /devices/key: a device enrolled before signing registers its key.
func (s *Server) handleRegisterKey(w http.ResponseWriter, r *http.Request, dev Device) {
	var req api.RegisterKeyRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.c.RegisterKey(r.Context(), dev, req.PublicKey); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("device key registered", "device", dev.ID, "unit", dev.Unit)
	s.writeJSON(w, http.StatusOK, struct {
		CentralKey string `json:"central_key"`
	}{s.c.PublicKey()})
}

// handleHead is GET /devices/head: the chain head the city holds for the calling device,
// for `motcua verify` to compare with the local chain.
func (s *Server) handleHead(w http.ResponseWriter, r *http.Request, dev Device) {
	h, err := s.c.Head(r.Context(), dev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, h)
}
