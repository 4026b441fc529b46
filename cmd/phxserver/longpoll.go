package main

import (
	"strings"

	"github.com/phxserver/phxserver/channels/transport/longpoll"
)

// mountLongPoll serves the Phoenix LongPoll transport at <socket_path>/longpoll. Its janitor
// starts with the first session and stops when none is left; a drain (node.Drain) closes
// every session, so shutdown needs no extra step.
func (s *server) mountLongPoll() {
	base := strings.TrimRight(s.cfg.Server.SocketPath, "/")
	s.mux.Handle(base+"/longpoll", longpoll.NewHandler(s.node, longpoll.Config{
		CheckOrigin:           s.cfg.Server.CheckOrigin,
		MaxFrameBytes:         s.cfg.Limits.MaxFrameBytes,
		InvalidTokenAnonymous: s.cfg.Auth.InvalidToken == "anonymous",
	}))
}
