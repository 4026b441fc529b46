// Package longpoll is the Phoenix LongPoll transport (<socket_path>/longpoll), the HTTP twin
// of the WebSocket endpoint in package ws: same core (Node.Connect with its own
// channels.Transport, Socket.HandlePhoenix, Socket.Drain, Socket.Terminate), same Phoenix
// dialect. Reference: shared/reference/phoenix-protocol.md §6, §1.4 and §7 item 14.
//
// Decisions:
//
//   - Every protocol answer is HTTP 200, content-type application/json; charset=utf-8,
//     cache-control no-store, access-control-allow-origin *, body {"status":N,...}; the
//     client only reads the body. An Origin refused by server.check_origin answers
//     {"status":403} (OPTIONS included). OPTIONS answers the preflight headers. Other
//     methods answer HTTP 405 (the client never sends them).
//   - A GET without a session token creates a session: vsn is negotiated (bad vsn → 403),
//     the auth token is the X-Phoenix-AuthToken header, else the last `token` query value
//     that is not a session token (socket params share the key). Auth failure → 403; a full
//     or draining server → 500 (the client retries). Success → {"status":410,"token":..,
//     "messages":[]}.
//   - Session tokens are "phxlp1.<session id>.<base64url node id>.<HMAC-SHA256>" with a key
//     random per process. A value with the "phxlp1." prefix is always treated as a session
//     token (never as auth); forged, foreign, unknown or expired ones answer a bare
//     {"status":410} on GET and POST, which makes a client holding a token close with 3410
//     and reconnect. The token comes from header x-phoenix-longpoll-token, else the last
//     `token` query value. The trailing "&" of the client's URL is harmless.
//   - GET with a live session answers queued frames at once (200, each message a frame's
//     JSON text), else holds the request until Wake or the window (default 10 s, capped at
//     15 s, below the client's 20 s timeout) → 204. Every 200/204 carries the token. At most
//     one poll is held per session: a newer GET answers the older with 204.
//   - The client JSON.parses every message, so binary frames cannot travel. An empty binary
//     reply (the ack of a binary push) is re-encoded as the same JSON reply with response {};
//     any other binary frame is dropped, logged once per session.
//   - POST with content-type application/x-ndjson: lines split on \n or \r\n, only the first
//     100 processed, blank lines skipped; a line starting with "[" (or "{" for V1) is a text
//     frame, any other is standard base64 (padding optional) of a V2 binary frame. Other
//     content types: the whole body is one frame. Body ≤ MaxBodyBytes (8 MiB, else
//     {"status":413}), each frame ≤ MaxFrameBytes. Frames are dispatched in order, one POST
//     at a time per session (the core expects one reader), then {"status":200}. A malformed
//     frame gets an error reply when its topic and ref are readable, and never ends the
//     session (unlike WebSocket's 1007).
//   - Transport.Close (drain, slow consumer, token expiry, idle expiry) ends the session:
//     a held poll answers 410 at once, queued frames are dropped (as on WebSocket).
//     Terminate runs on the janitor, never inside the core call that closed the session,
//     and only once no POST is being dispatched.
//   - Sessions own no goroutine. One janitor goroutine per Handler expires sessions without
//     a poll for IdleTimeout (default 1.5 × window = 15 s, as Phoenix) and terminates closed
//     ones; it starts with the first session and exits when none is left. Handler.Close ends
//     everything and joins it.
package longpoll
