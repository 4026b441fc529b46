package channels

import (
	"sync"

	"github.com/phxserver/phxserver/protocol"
)

// outQueue is a socket's outbound queue, capped by bytes and by frame count. Enqueue never
// blocks: a full queue refuses the frame and the caller marks the socket slow.
type outQueue struct {
	mu        sync.Mutex
	frames    []protocol.Frame // guarded by mu
	bytes     int              // guarded by mu
	closed    bool             // guarded by mu
	maxBytes  int
	maxFrames int
}

func newOutQueue(maxBytes, maxFrames int) outQueue {
	return outQueue{maxBytes: maxBytes, maxFrames: maxFrames}
}

// push appends f; it returns wasEmpty (the writer must be woken) and ok=false on overflow or
// when the queue is closed.
func (q *outQueue) push(f protocol.Frame) (wasEmpty, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false, false
	}
	if (q.maxBytes > 0 && q.bytes+len(f.Data) > q.maxBytes && len(q.frames) > 0) ||
		(q.maxFrames > 0 && len(q.frames) >= q.maxFrames) {
		return false, false
	}
	wasEmpty = len(q.frames) == 0
	q.frames = append(q.frames, f)
	q.bytes += len(f.Data)
	return wasEmpty, true
}

// take moves every queued frame into dst (reusing its storage) and empties the queue.
func (q *outQueue) take(dst []protocol.Frame) []protocol.Frame {
	q.mu.Lock()
	defer q.mu.Unlock()
	dst = append(dst[:0], q.frames...)
	clear(q.frames)
	if cap(q.frames) > 64 {
		q.frames = nil // let a burst's backing array go
	} else {
		q.frames = q.frames[:0]
	}
	q.bytes = 0
	return dst
}

// len reports the number of queued frames.
func (q *outQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.frames)
}

// close refuses every later push; frames already queued stay takeable.
func (q *outQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}
