package longpoll

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/protocol"
)

// Poll outcomes of session.poll (they are also the body statuses).
const (
	statusMessages = 200 // frames were queued
	statusNoData   = 204 // the window passed, or a newer poll took over
	statusGone     = 410 // the session ended
	statusAborted  = 0   // the client went away; nothing to answer
)

// session is one LongPoll client: a core socket plus the poll currently held, if any. It owns
// no goroutine: a held GET runs on its own request goroutine, and the handler's janitor
// expires and terminates sessions. It implements channels.Transport.
type session struct {
	id    string
	token string
	h     *Handler
	ser   protocol.Serializer

	mu       sync.Mutex
	sock     *channels.Socket // guarded by mu; nil until Connect returned
	waiter   *waiter          // guarded by mu: the held poll
	lastPoll time.Time        // guarded by mu: end of the last poll (or creation)
	closed   bool             // guarded by mu

	// inbound serialises POST dispatch (the core expects a single reader per socket) and
	// Terminate, which must never run while a frame is being handled.
	inbound sync.Mutex

	binaryWarned atomic.Bool
}

// waiter is one held GET.
type waiter struct {
	wake     chan struct{} // capacity 1: a pending wake-up is never lost
	replaced bool          // guarded by session.mu: a newer GET took over
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Wake answers the held poll, if any. It never blocks for long (one short mutex).
func (s *session) Wake() {
	s.mu.Lock()
	if w := s.waiter; w != nil {
		notify(w.wake)
	}
	s.mu.Unlock()
}

// Close ends the session: a held poll answers {"status":410} at once, and so does every
// later request, which makes the phoenix client close with 3410 and reconnect. Pending
// frames are dropped, as on WebSocket. The socket is terminated by the janitor once no POST
// is being handled. Close never blocks for long and only the first call counts.
func (s *session) Close(code int, reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if w := s.waiter; w != nil {
		notify(w.wake)
	}
	s.mu.Unlock()
	s.h.retire(s)
}

func (s *session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *session) socket() *channels.Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock
}

// attach binds the socket Connect returned; it reports false when the session was closed
// meanwhile (e.g. by a drain).
func (s *session) attach(sock *channels.Socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock = sock
	s.lastPoll = time.Now()
	return !s.closed
}

// terminate ends the core socket once no POST is being dispatched. Called by the janitor
// (never from inside a core call, whose locks Terminate may need).
func (s *session) terminate() {
	s.inbound.Lock()
	defer s.inbound.Unlock()
	if sock := s.socket(); sock != nil {
		sock.Terminate()
	}
}

// idleFor reports how long the session has gone without a poll; zero while one is held.
func (s *session) idleFor(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiter != nil {
		return 0
	}
	return now.Sub(s.lastPoll)
}

// poll holds a GET until frames are queued, the window passes, a newer GET takes over, the
// session ends or the client goes away. It returns the outcome and, for statusMessages, the
// frames as JSON texts.
func (s *session) poll(ctx context.Context, window time.Duration) (int, []string) {
	w := &waiter{wake: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return statusGone, nil
	}
	if old := s.waiter; old != nil {
		old.replaced = true
		notify(old.wake)
	}
	s.waiter = w
	sock := s.sock
	s.mu.Unlock()
	defer s.release(w)

	timer := time.NewTimer(window)
	defer timer.Stop()
	for {
		s.mu.Lock()
		closed, replaced := s.closed, w.replaced
		s.mu.Unlock()
		switch {
		case closed:
			return statusGone, nil
		case replaced:
			return statusNoData, nil
		}
		// The waiter is registered before draining: a frame queued after this Drain wakes it.
		if msgs := s.messages(sock.Drain(nil)); len(msgs) > 0 {
			return statusMessages, msgs
		}
		select {
		case <-w.wake:
		case <-timer.C:
			return statusNoData, nil
		case <-ctx.Done():
			return statusAborted, nil
		}
	}
}

// release unregisters a finished poll and restarts the idle clock.
func (s *session) release(w *waiter) {
	s.mu.Lock()
	if s.waiter == w {
		s.waiter = nil
	}
	s.lastPoll = time.Now()
	s.mu.Unlock()
}
