package triggers

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Audit writer policy.
const (
	// auditQueueLines bounds the lines waiting for the writer; beyond it lines are dropped.
	auditQueueLines = 4096
	// auditSyncLines: fsync after this many lines, and in any case once a second.
	auditSyncLines = 100
	auditSyncEvery = time.Second
	// auditKeep is how many rotated files (path.1 … path.3) are kept.
	auditKeep = 3
)

// auditWriter owns one audit file: a single goroutine appends queued lines, fsyncs every
// auditSyncLines lines or every second, and rotates by size. Callers never block.
type auditWriter struct {
	path    string
	maxSize int64
	log     zerolog.Logger
	dropped *atomic.Int64

	queue    chan []byte
	done     chan struct{}
	finished chan struct{}
	stop     sync.Once

	// Owned by the writer goroutine.
	f        *os.File
	buf      *bufio.Writer
	size     int64
	unsynced int
}

func openAuditWriter(path string, maxSize int64, dropped *atomic.Int64, log zerolog.Logger) (*auditWriter, error) {
	w := &auditWriter{
		path: path, maxSize: maxSize, log: log, dropped: dropped,
		queue: make(chan []byte, auditQueueLines), done: make(chan struct{}), finished: make(chan struct{}),
	}
	if err := w.open(); err != nil {
		return nil, fmt.Errorf("%w: audit_log: %w", ErrInvalidFunction, err)
	}
	go w.loop()
	return w, nil
}

func (w *auditWriter) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	if w.buf == nil {
		w.buf = bufio.NewWriterSize(f, 64<<10)
	} else {
		w.buf.Reset(f)
	}
	return nil
}

// append queues one line (ending in '\n'); it drops the line when the queue is full or the
// writer is closed.
func (w *auditWriter) append(line []byte) {
	select {
	case <-w.done:
		w.dropped.Add(1)
		return
	default:
	}
	select {
	case w.queue <- line:
	default:
		w.dropped.Add(1)
	}
}

func (w *auditWriter) loop() {
	defer close(w.finished)
	tick := time.NewTicker(auditSyncEvery)
	defer tick.Stop()
	for {
		select {
		case line := <-w.queue:
			w.write(line)
			if len(w.queue) == 0 {
				w.flush(false)
			}
		case <-tick.C:
			w.flush(true)
		case <-w.done:
			for {
				select {
				case line := <-w.queue:
					w.write(line)
				default:
					w.flush(true)
					if w.f != nil {
						_ = w.f.Close()
					}
					return
				}
			}
		}
	}
}

func (w *auditWriter) write(line []byte) {
	if w.f == nil {
		if err := w.open(); err != nil { // a previous rotation failed: try again
			w.dropped.Add(1)
			return
		}
	}
	if w.maxSize > 0 && w.size > 0 && w.size+int64(len(line)) > w.maxSize {
		if err := w.rotate(); err != nil {
			w.log.Error().Err(err).Str("path", w.path).Msg("audit log rotation failed")
			if w.f == nil {
				w.dropped.Add(1)
				return
			}
		}
	}
	n, err := w.buf.Write(line)
	w.size += int64(n)
	w.unsynced++
	if err != nil {
		w.log.Error().Err(err).Str("path", w.path).Msg("audit log write failed")
	}
	if w.unsynced >= auditSyncLines {
		w.flush(true)
	}
}

// flush writes the buffer out; with sync it also fsyncs when lines were written since the
// last fsync.
func (w *auditWriter) flush(sync bool) {
	if w.f == nil {
		return
	}
	if err := w.buf.Flush(); err != nil {
		w.log.Error().Err(err).Str("path", w.path).Msg("audit log write failed")
	}
	if sync && w.unsynced > 0 {
		if err := w.f.Sync(); err != nil {
			w.log.Error().Err(err).Str("path", w.path).Msg("audit log fsync failed")
		}
		w.unsynced = 0
	}
}

// rotate closes the file and shifts path → path.1 → … → path.<auditKeep> (the oldest is
// replaced), then opens a fresh path.
func (w *auditWriter) rotate() error {
	w.flush(true)
	if err := w.f.Close(); err != nil {
		w.log.Error().Err(err).Str("path", w.path).Msg("audit log close failed")
	}
	w.f = nil
	for i := auditKeep - 1; i >= 1; i-- {
		from := w.path + "." + strconv.Itoa(i)
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, w.path+"."+strconv.Itoa(i+1)); err != nil {
				return err
			}
		}
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		_ = w.open()
		return err
	}
	return w.open()
}

// close stops the writer after it wrote out the queued lines, fsynced and closed the file.
func (w *auditWriter) close() {
	w.stop.Do(func() { close(w.done) })
	<-w.finished
}
