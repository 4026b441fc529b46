// Package channels is the core of phxserver: the Node, its Sockets and their Channel
// memberships, the Router of topic patterns to Handlers, the sharded hub that fans events out,
// and the per-socket bounded outbound queues. It knows no transport and no wire format beyond
// the Dialect interface: transports (channels/transport/...) decode frames, call the core, and
// write what the core queues.
//
// # Life of a message
//
// A transport's reader decodes a frame and calls Socket.HandlePhoenix (or the Xano adapter
// calls Socket.Join/Leave/Send). A send is checked against the member's effective permissions
// (channels/permissions), becomes an immutable Event, is appended to history, published to
// the other nodes through the Broker, and fanned out locally: the topic's hub shard is
// read-locked, each member is filtered by audience, the event is encoded at most once per
// dialect slot, and the frames are queued. Enqueue never blocks; a full queue disconnects
// that socket only. The transport's single writer drains the queue.
//
// # Ownership and lock order
//
// Locks are taken in this order and never in reverse; none is held across I/O, a handler
// trigger, a webhook or a broker call:
//
//  1. Socket.mu (the socket's memberships and expiry timer)
//  2. hubShard.mu (a topic's member list; read-locked during fan-out)
//  3. outQueue.mu (a socket's outbound frames)
//
// The presence tracker, the history store and the warn limiter have their own leaf locks and
// call nothing while holding them. Broker subscriptions change only on the reconciler
// goroutine started by Node.Run.
package channels
