package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// PhoenixJSRelPath is where npm installs the phoenix client bundle, relative to the project.
const PhoenixJSRelPath = "node_modules/phoenix/priv/static/phoenix.js"

// ErrPhoenixJSMissing means no candidate path held the phoenix client.
var ErrPhoenixJSMissing = errors.New("web: phoenix client not found (run `npm ci`)")

// maxPhoenixJSBytes bounds what is read into memory; the 1.8 bundle is about 100 KB.
const maxPhoenixJSBytes = 4 << 20

// PhoenixJSCandidates lists where the phoenix client may be, in order: under the working
// directory, then beside and above the executable's directory (bin/phxserver in a checkout).
// Empty arguments are skipped.
func PhoenixJSCandidates(workDir, exePath string) []string {
	var out []string
	if workDir != "" {
		out = append(out, filepath.Join(workDir, PhoenixJSRelPath))
	}
	if exePath != "" {
		if resolved, err := filepath.EvalSymlinks(exePath); err == nil {
			exePath = resolved
		}
		dir := filepath.Dir(exePath)
		out = append(out, filepath.Join(dir, "..", PhoenixJSRelPath), filepath.Join(dir, PhoenixJSRelPath))
	}
	return out
}

// LoadPhoenixJS reads the first candidate that exists and returns its content and path.
func LoadPhoenixJS(candidates []string) ([]byte, string, error) {
	for _, p := range candidates {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if st.Size() > maxPhoenixJSBytes {
			return nil, "", fmt.Errorf("web: %s is %d bytes, larger than expected", p, st.Size())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("web: read phoenix client: %w", err)
		}
		return b, p, nil
	}
	return nil, "", ErrPhoenixJSMissing
}

func (s *Site) servePhoenixJS(w http.ResponseWriter, _ *http.Request) {
	js := s.config().PhoenixJS
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if js == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, "phoenix client unavailable: %s was not found next to the working directory "+
			"or the executable; run `npm ci` in the phxserver checkout and restart the server\n", PhoenixJSRelPath)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(js)
}
