// Package history keeps the recent messages of each concrete channel so they can be replayed
// on join{history:true} and on history requests (xano-realtime.md §5, §10 item 8).
//
// Memory is the in-memory store: one ring buffer per channel, sized by the permission set's
// history N (0, 25, 50, 100, 250, 1000). It uses the standard library only.
//
// Decisions where the spec is silent:
//   - Capacity is passed on every Append, so a set reloaded with a smaller N trims the ring
//     (oldest items go) on that channel's next Append; a larger N lets it grow. Append with
//     capacity 0 is a no-op and leaves what is stored untouched.
//   - Sequence numbers are per channel and start at 1. They are not persisted: a channel
//     evicted by the channel bound starts again at 1.
//   - The channel bound evicts the channel whose last Append is the oldest, across all
//     shards. Eviction is serialised by one mutex that is only taken when a new channel
//     pushes the count over the bound; the append path itself touches only its shard.
//   - Data is opaque and stored as given: callers must not mutate it after Append, and
//     Last returns the stored values, not copies.
//
// Lock order: evictMu, then at most one shard mutex at a time.
package history
