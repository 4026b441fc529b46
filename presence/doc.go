// Package presence is the presence Tracker: which connections are in which topic, with
// what meta, across the cluster (phoenix-protocol.md §5, channels-and-permissions.md §5).
//
// The Tracker knows nothing about sockets or dialects. The core tells it who joined (Track,
// Update, Untrack, UntrackConn) and who needs the full state (RequestState); at the end of
// each topic's merge window, Run hands the core one Flush per topic with the merged Diff,
// and the Snapshot for the connections that asked for state. The core encodes and fans out.
//
// # Entries and refs
//
// An Entry is one connection in one topic. Its key is the user id for authenticated members
// and the client id for anonymous ones, so a user on two connections is one key with two
// metas. Every meta carries a unique phx_ref, 16 url-safe base64 characters of 8 bytes time
// (ns), 2 bytes node hash and 2 bytes counter, as Phoenix does. Update gives a new phx_ref
// and sets phx_ref_prev to the old one.
//
// # Windows and merging
//
// Changes to a topic open a window of Config.Window; everything that happens to the topic
// until it closes becomes one Flush. A join and a leave of the same phx_ref in one window
// cancel out: neither is sent, since no member could have seen the entry. A join storm of N
// connections therefore produces one Flush with N joins, and one Snapshot shared by every
// connection that asked for state. Snapshots copy the entries in O(N) under the topic's
// shard lock, sort lazily outside it, are cached until the topic changes, and cache each
// encoding (Snapshot.Encoded) so presence_state is encoded once per snapshot per dialect.
// Topics flush independently.
//
// # Replication
//
// With a broker, each node owns its local entries and replicates them on
// ReplicationChannel with envelopes of EnvelopeKind (JSON): numbered deltas of joins and
// leaves, heartbeats carrying the last delta number and the local entry count, sync
// requests, and full-state replies addressed to the requester. A starting node asks every
// node for its state. A receiver that sees a gap in a node's delta numbers, or a heartbeat
// ahead of what it received, asks that node for its state and replaces that node's entries
// with it. Ops are idempotent by phx_ref, so applying deltas across a gap or a state that is
// slightly ahead of its number is safe. A node silent for Config.DownAfter has its entries
// removed (members see leaves); a node that restarts under the same id is recognised by a
// new incarnation number and its old entries are removed. Remote entries appear in
// snapshots and in diffs like local ones.
//
// # Concurrency
//
// Topics are sharded by hash (32 shards, a mutex each). Lock order: Tracker.remoteMu, then
// a shard's mu, then the conn index and the outbox. onFlush runs on Run's goroutine with no
// lock held; broker calls run on Run's sender goroutine with no lock held, so Track and
// HandleRemote never wait for the network.
package presence
