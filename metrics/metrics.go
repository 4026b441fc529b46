package metrics

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrNoSource is returned by New without a Source.
var ErrNoSource = errors.New("metrics: a Source is required")

// Metrics owns a private registry: the Go runtime, the process, the node and the
// trigger/webhook recorders. The zero value is not usable; call New.
type Metrics struct {
	reg *prometheus.Registry
	rec *recorder
}

// New registers the collectors for src in a fresh private registry.
func New(src Source) (*Metrics, error) {
	if src == nil {
		return nil, ErrNoSource
	}
	m := &Metrics{reg: prometheus.NewRegistry(), rec: newRecorder()}
	cs := []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newNodeCollector(src),
	}
	for _, c := range append(cs, m.rec.collectors()...) {
		if err := m.reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: register: %w", err)
		}
	}
	return m, nil
}

// Gatherer exposes the registry (tests, other exporters).
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
	})
}
