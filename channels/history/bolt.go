package history

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
)

// Bolt errors.
var (
	// ErrBoltRunning: Run was called twice.
	ErrBoltRunning = errors.New("history: bolt writer already running")
)

// Bolt is the durable history store (engine.history_path): an append-only log of each
// channel's stored messages in a bbolt file, written in batches by one goroutine (Run) so that
// Save never waits for the disk.
//
// Layout: a root bucket "history" holds one sub-bucket per channel (the bucket name is the
// channel name). In a channel's bucket the key is the bucket's own 8-byte big-endian sequence
// (bbolt NextSequence), so iteration is insertion order even if the caller's seq restarts
// (the in-memory store restarts its seqs after a restart); the value is
// seq (8 bytes BE) | at (8 bytes BE, Unix ns) | data.
type Bolt struct {
	db      *bolt.DB
	log     zerolog.Logger
	queue   chan boltItem
	dropped atomic.Uint64
	running atomic.Bool
}

// boltItem is one queued Save.
type boltItem struct {
	channel string
	seq     uint64
	at      time.Time
	data    []byte
	keep    int
}

const (
	// boltQueueSize bounds the items waiting for the writer.
	boltQueueSize = 8192
	// boltBatchMax bounds the items written in one transaction.
	boltBatchMax = 1024
	// boltHeaderSize is the seq and time prefix of a value.
	boltHeaderSize = 16
)

var rootBucket = []byte("history")

// OpenBolt opens (creating it if needed) the history file at path. It fails after one second
// when another process holds the file.
func OpenBolt(path string, log zerolog.Logger) (*Bolt, error) {
	return openBolt(path, log, boltQueueSize)
}

func openBolt(path string, log zerolog.Logger, queueSize int) (*Bolt, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(rootBucket)
		return err
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("history: init %s: %w", path, err)
	}
	return &Bolt{db: db, log: log, queue: make(chan boltItem, queueSize)}, nil
}

// Save queues one item for channel; it never blocks the caller: when the queue is full the
// item is dropped and counted (Dropped). keep trims the channel to its newest keep items;
// keep <= 0 is a no-op, as in Memory.Append. The store keeps data: the caller must not
// modify it afterwards.
func (b *Bolt) Save(channel string, seq uint64, at time.Time, data []byte, keep int) {
	if keep <= 0 {
		return
	}
	select {
	case b.queue <- boltItem{channel: channel, seq: seq, at: at, data: data, keep: keep}:
	default:
		b.dropped.Add(1)
	}
}

// Dropped counts the items Save dropped because the queue was full, or the writer failed to
// store.
func (b *Bolt) Dropped() uint64 { return b.dropped.Load() }

// Run is the writer: it batches queued items into bbolt transactions until ctx is done, then
// writes what is still queued and returns nil. Call it once, and Close after it returned.
func (b *Bolt) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return ErrBoltRunning
	}
	batch := make([]boltItem, 0, boltBatchMax)
	for {
		select {
		case <-ctx.Done():
			for {
				batch = b.collect(batch[:0])
				if len(batch) == 0 {
					return nil
				}
				b.write(batch)
			}
		case it := <-b.queue:
			b.write(b.collect(append(batch[:0], it)))
		}
	}
}

// collect appends what is queued, without waiting, up to boltBatchMax items.
func (b *Bolt) collect(batch []boltItem) []boltItem {
	for len(batch) < boltBatchMax {
		select {
		case it := <-b.queue:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

// write stores batch in one transaction, then trims each channel it touched once. A failed
// transaction drops the batch (counted) so that one bad write cannot stall history forever.
func (b *Bolt) write(batch []boltItem) {
	err := b.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		keep := make(map[string]int, 4)
		for _, it := range batch {
			if it.channel == "" || len(it.channel) > bolt.MaxKeySize {
				b.dropped.Add(1)
				continue
			}
			bucket, err := root.CreateBucketIfNotExists([]byte(it.channel))
			if err != nil {
				return err
			}
			id, err := bucket.NextSequence()
			if err != nil {
				return err
			}
			if err := bucket.Put(be64(id), encodeBoltValue(it)); err != nil {
				return err
			}
			keep[it.channel] = it.keep // the newest Save's keep wins
		}
		for channel, n := range keep {
			if err := trimBucket(root.Bucket([]byte(channel)), n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.dropped.Add(uint64(len(batch)))
		b.log.Error().Err(err).Int("items", len(batch)).Msg("history: write failed; items dropped")
	}
}

// trimBucket deletes all but the newest keep keys of bucket.
func trimBucket(bucket *bolt.Bucket, keep int) error {
	c := bucket.Cursor()
	k, _ := c.Last()
	for i := 1; i < keep && k != nil; i++ {
		k, _ = c.Prev()
	}
	if k == nil {
		return nil // keep or fewer items
	}
	boundary := bytes.Clone(k)
	var doomed [][]byte
	for k, _ := c.First(); k != nil && bytes.Compare(k, boundary) < 0; k, _ = c.Next() {
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := bucket.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func encodeBoltValue(it boltItem) []byte {
	v := make([]byte, boltHeaderSize, boltHeaderSize+len(it.data))
	binary.BigEndian.PutUint64(v[0:8], it.seq)
	binary.BigEndian.PutUint64(v[8:16], uint64(it.at.UnixNano()))
	return append(v, it.data...)
}

func be64(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// LoadAll calls fn for every stored item, channel by channel (in byte order of the name),
// oldest first within a channel. data is a copy fn may keep. Values too short to decode
// (corruption) are skipped.
func (b *Bolt) LoadAll(fn func(channel string, seq uint64, at time.Time, data []byte)) error {
	err := b.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(name []byte) error {
			channel := string(name)
			return root.Bucket(name).ForEach(func(_, v []byte) error {
				if len(v) < boltHeaderSize {
					return nil
				}
				seq := binary.BigEndian.Uint64(v[0:8])
				at := time.Unix(0, int64(binary.BigEndian.Uint64(v[8:16])))
				fn(channel, seq, at, bytes.Clone(v[boltHeaderSize:]))
				return nil
			})
		})
	})
	if err != nil {
		return fmt.Errorf("history: load: %w", err)
	}
	return nil
}

// Close closes the file. Call it after Run returned.
func (b *Bolt) Close() error {
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("history: close: %w", err)
	}
	return nil
}
