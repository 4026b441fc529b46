package web

import (
	"bytes"
	"net/http"
)

// DemoChannel is one entry of the demo page's channel picker.
type DemoChannel struct {
	Topic, Label string
}

// DemoChannels are the channels of the embedded default configuration.
var DemoChannels = []DemoChannel{
	{"public-chat", "public-chat — anonymous chat with presence"},
	{"room:lobby", "room:lobby — Phoenix-style room, private messages"},
	{"chatroom/general", "chatroom/general — signed-in users write, 5/min"},
	{"notifications/all", "notifications/all — server-pushed only"},
	{"team/7/workspace/general", "team/7/workspace/general — team 7 members"},
	{"support/session/1", "support/session/1 — support session"},
}

type chatPage struct {
	SocketPath string
	Channels   []DemoChannel
	Users      []DemoUser
}

type dashboardPage struct {
	SocketPath string
	Topic      string
}

func (s *Site) serveChat(w http.ResponseWriter, r *http.Request) {
	cfg := s.config()
	if !cfg.Demo {
		http.NotFound(w, r)
		return
	}
	s.render(w, "index.html", chatPage{SocketPath: cfg.SocketPath, Channels: DemoChannels, Users: DemoUsers})
}

func (s *Site) serveDashboard(w http.ResponseWriter, _ *http.Request) {
	s.render(w, "dashboard.html", dashboardPage{SocketPath: s.config().SocketPath, Topic: DashboardTopic})
}

// render executes into a buffer first so a template error never sends half a page.
func (s *Site) render(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}
	setSecurityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
