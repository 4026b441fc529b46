package httpapi

import "net/http"

// reloadConfig re-reads the configuration file (as SIGHUP does). A refused reload keeps the
// configuration in force and answers 409 with the reason.
func (h *Handler) reloadConfig(w http.ResponseWriter, _ *http.Request) {
	if h.reload == nil {
		writeError(w, http.StatusNotImplemented, "reload is not available")
		return
	}
	if err := h.reload(); err != nil {
		h.log.Warn().Err(err).Msg("api reload refused")
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	h.log.Info().Msg("api reload")
	writeJSON(w, http.StatusOK, okBody{OK: true})
}
