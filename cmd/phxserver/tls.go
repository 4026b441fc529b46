package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// certReloader serves the current certificate and reloads it when its files change or on
// SIGHUP, so that renewing a certificate needs no restart.
type certReloader struct {
	certFile, keyFile string
	log               zerolog.Logger

	mu      sync.RWMutex
	cert    *tls.Certificate // guarded by mu
	modTime time.Time        // guarded by mu
}

func newCertReloader(certFile, keyFile string, log zerolog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *certReloader) reload() error {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls: load %s / %s: %w", r.certFile, r.keyFile, err)
	}
	mt := latestModTime(r.certFile, r.keyFile)
	r.mu.Lock()
	r.cert, r.modTime = &cert, mt
	r.mu.Unlock()
	return nil
}

func latestModTime(files ...string) time.Time {
	var t time.Time
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.ModTime().After(t) {
			t = st.ModTime()
		}
	}
	return t
}

// reloadLogged reloads and logs the outcome; a bad file keeps the current certificate.
func (r *certReloader) reloadLogged() {
	if err := r.reload(); err != nil {
		r.log.Error().Err(err).Msg("certificate reload failed; keeping the current certificate")
		return
	}
	r.log.Info().Str("cert_file", r.certFile).Msg("certificate reloaded")
}

// watch reloads the certificate whenever its files' modification time changes.
func (r *certReloader) watch(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			r.mu.RLock()
			known := r.modTime
			r.mu.RUnlock()
			if latestModTime(r.certFile, r.keyFile).After(known) {
				r.reloadLogged()
			}
		}
	}
}

func (r *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			r.mu.RLock()
			defer r.mu.RUnlock()
			return r.cert, nil
		},
	}
}
