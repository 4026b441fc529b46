package metrics

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches the handler's text exposition and parses it strictly.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body, _ := io.ReadAll(rec.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return families
}

// value returns the value of the sample of family name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	fam := fams[name]
	if fam == nil {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		got := map[string]string{}
		for _, lp := range m.GetLabel() {
			got[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestNewRequiresSource(t *testing.T) {
	if _, err := New(nil); err != ErrNoSource {
		t.Fatalf("New(nil) error = %v, want ErrNoSource", err)
	}
}

func TestNodeMetricsFollowActivity(t *testing.T) {
	node := testNode(t)
	m, err := New(node)
	if err != nil {
		t.Fatal(err)
	}
	before := scrape(t, m)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "phxserver_channels",
		"phxserver_presence_entries", "phxserver_joins_total", "phxserver_messages_in_total"} {
		if before[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	if _, ok := value(t, before, "phxserver_connections", nil); ok {
		t.Errorf("connections reported before any connection")
	}

	a := connect(t, node, "websocket")
	b := connect(t, node, "longpoll")
	push(a, "room:1", "phx_join", `{}`)
	push(b, "room:1", "phx_join", `{}`)
	push(a, "nowhere", "phx_join", `{}`)
	push(a, "room:1", "message", `{"text":"hi"}`)
	eventually(t, "two presence entries", func() bool { return node.Tracker().Snapshot("room:1").Len() == 2 })

	after := scrape(t, m)
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"websocket connections", "phxserver_connections", map[string]string{"transport": "websocket", "dialect": "phoenix-v2"}, 1},
		{"longpoll connections", "phxserver_connections", map[string]string{"transport": "longpoll", "dialect": "phoenix-v2"}, 1},
		{"channels", "phxserver_channels", nil, 1},
		{"members", "phxserver_channel_members", nil, 2},
		{"presence", "phxserver_presence_entries", nil, 2},
		{"joins", "phxserver_joins_total", nil, 2},
		{"refusals", "phxserver_join_refusals_total", map[string]string{"reason": "unmatched topic"}, 1},
		{"messages in", "phxserver_messages_in_total", nil, 1},
		{"draining", "phxserver_draining", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := value(t, after, tc.metric, tc.labels)
			if !ok {
				t.Fatalf("%s%v missing", tc.metric, tc.labels)
			}
			if got != tc.want {
				t.Fatalf("%s%v = %v, want %v", tc.metric, tc.labels, got, tc.want)
			}
		})
	}
	// Presence diffs are deliveries too and flush asynchronously: only a lower bound holds.
	if d, _ := value(t, after, "phxserver_deliveries_total", nil); d < 2 {
		t.Errorf("deliveries = %v, want at least the message to both members", d)
	}
	if fo, _ := value(t, after, "phxserver_frames_out_total", nil); fo < 2 {
		t.Errorf("frames out = %v, want at least the two deliveries", fo)
	}

	b.Terminate()
	gone := scrape(t, m)
	if _, ok := value(t, gone, "phxserver_connections", map[string]string{"transport": "longpoll"}); ok {
		t.Errorf("longpoll connection still reported after it ended")
	}
}

func TestRecorder(t *testing.T) {
	tests := []struct {
		name     string
		observe  func(m *Metrics)
		metric   string
		labels   map[string]string
		want     float64
		wantMiss bool
	}{
		{"trigger allow is timed", func(m *Metrics) { m.ObserveTrigger("team_member", TriggerAllow, time.Millisecond) },
			"phxserver_trigger_duration_seconds", map[string]string{"function": "team_member", "outcome": "allow"}, 1, false},
		{"trigger allow is no failure", func(m *Metrics) { m.ObserveTrigger("team_member", TriggerAllow, time.Millisecond) },
			"phxserver_trigger_failures_total", nil, 0, true},
		{"trigger timeout is a failure", func(m *Metrics) { m.ObserveTrigger("remote", TriggerTimeout, time.Second) },
			"phxserver_trigger_failures_total", map[string]string{"function": "remote", "outcome": "timeout"}, 1, false},
		{"unknown trigger outcome is other", func(m *Metrics) { m.ObserveTrigger("f", "weird", 0) },
			"phxserver_trigger_duration_seconds", map[string]string{"outcome": "other"}, 1, false},
		{"invalid utf-8 function name is sanitized", func(m *Metrics) { m.ObserveTrigger("f\xff", TriggerDeny, 0) },
			"phxserver_trigger_duration_seconds", map[string]string{"function": "f\uFFFD"}, 1, false},
		{"webhook ok is timed", func(m *Metrics) { m.ObserveWebhook(WebhookOK, 20*time.Millisecond) },
			"phxserver_webhook_duration_seconds", map[string]string{"outcome": "ok"}, 1, false},
		{"webhook dropped is a failure", func(m *Metrics) { m.ObserveWebhook(WebhookDropped, 0) },
			"phxserver_webhook_failures_total", map[string]string{"outcome": "dropped"}, 1, false},
		{"webhook dropped is not timed", func(m *Metrics) { m.ObserveWebhook(WebhookDropped, 0) },
			"phxserver_webhook_duration_seconds", nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(testNode(t))
			if err != nil {
				t.Fatal(err)
			}
			tc.observe(m)
			got, ok := value(t, scrape(t, m), tc.metric, tc.labels)
			if ok == tc.wantMiss {
				t.Fatalf("%s%v present = %v, want %v", tc.metric, tc.labels, ok, !tc.wantMiss)
			}
			if got != tc.want {
				t.Fatalf("%s%v = %v, want %v", tc.metric, tc.labels, got, tc.want)
			}
		})
	}
}

func TestNilMetricsObserversAreNoOps(t *testing.T) {
	var m *Metrics
	m.ObserveTrigger("f", TriggerAllow, time.Millisecond)
	m.ObserveWebhook(WebhookOK, time.Millisecond)
}

func TestLabelValue(t *testing.T) {
	long := "a" + string(bytes.Repeat([]byte("é"), 100)) // the 128-byte cut lands inside a rune
	tests := []struct{ name, in, want string }{
		{"empty", "", "unknown"},
		{"plain", "unmatched topic", "unmatched topic"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"truncated mid-rune", long, "a" + string(bytes.Repeat([]byte("é"), 63)) + "\uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := labelValue(tc.in); got != tc.want {
				t.Fatalf("labelValue(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
