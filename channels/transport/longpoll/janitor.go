package longpoll

import (
	"time"

	"github.com/phxserver/phxserver/channels"
)

// startJanitorLocked starts the janitor unless it runs; h.mu must be held.
func (h *Handler) startJanitorLocked() {
	if h.janitorOn || h.closed {
		return
	}
	h.janitorOn = true
	h.janitorsWG.Add(1)
	go h.janitor()
}

// janitor is the handler's only background goroutine: it expires sessions that stopped
// polling (the phoenix client never says goodbye) and terminates closed sessions outside
// any core call. It exits when no session is left, so an idle server runs none.
func (h *Handler) janitor() {
	defer h.janitorsWG.Done()
	ticker := time.NewTicker(h.tick)
	defer ticker.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-h.poke:
		case now := <-ticker.C:
			h.expireIdle(now)
		}
		if !h.terminateEnding() {
			return
		}
	}
}

// expireIdle closes the sessions without a poll for longer than IdleTimeout.
func (h *Handler) expireIdle(now time.Time) {
	var idle []*session
	h.mu.Lock()
	for _, s := range h.sessions {
		if s.idleFor(now) > h.cfg.IdleTimeout {
			idle = append(idle, s)
		}
	}
	h.mu.Unlock()
	for _, s := range idle {
		s.Close(channels.CloseGoingAway, "session expired")
	}
}

// terminateEnding terminates the closed sessions; it reports false (and marks the janitor
// stopped) when there is nothing left to watch.
func (h *Handler) terminateEnding() bool {
	for {
		h.mu.Lock()
		ending := h.ending
		h.ending = nil
		if len(ending) == 0 {
			if len(h.sessions) == 0 {
				h.janitorOn = false
				h.mu.Unlock()
				return false
			}
			h.mu.Unlock()
			return true
		}
		h.mu.Unlock()
		for _, s := range ending {
			s.terminate()
		}
	}
}
