// Package config loads, validates and compiles the phxserver configuration file
// (shared/design/config.md).
//
// # Loading
//
// Load reads a file, Parse reads bytes, Default returns the embedded demo configuration
// (default.yaml) used when the server runs without --config. The steps are:
//
//  1. Environment expansion on the raw text: ${VAR} and ${VAR:-default} ("default" when VAR is
//     unset or empty); an unset ${VAR} without default is ""; "$$" is a literal "$"; any other
//     "$" is kept. Values are pasted as text, so quote them in YAML ("${SECRET}") if they may
//     contain YAML syntax. A reference must close on its own line and a value must not contain
//     a line break (both would shift the line numbers errors cite). Comments are expanded too.
//  2. Strict YAML parsing (go.yaml.in/yaml/v3 node tree, one document): unknown keys, duplicate
//     keys, merge keys, a list where a mapping belongs, "1.5" or "yes" where an integer or a
//     boolean belongs, or a bad duration are errors.
//  3. Defaults (below): a key absent from the file, or present with an empty value, keeps it.
//  4. Validation, relative-path resolution against baseDir (the file's directory for Load),
//     import of Xano sources, and compilation of the permission table (Config.Table).
//
// Every error is "file:line: key: message", e.g.
//
//	phxserver.yaml:14: channels[2].permisions: unknown key (did you mean "permissions"?)
//
// All problems of one file are reported together (errors.Join, sorted by line); each wraps
// ErrInvalid. A file that cannot be read wraps ErrRead.
//
// # Reference and defaults
//
//	server:
//	  listen: "127.0.0.1:4000"       # host:port of the HTTP listener
//	  socket_path: "/socket"         # must start with "/", no trailing "/"
//	  check_origin: []               # allowed Origin values; empty = any
//	  tls:                           # enabled when cert_file or key_file is set; then both are
//	    listen: ":443"               # required and must exist (resolved against baseDir)
//	    cert_file: ""
//	    key_file: ""
//	  xano:
//	    canonicals: []               # /rt/<canonical>; non-empty, one path segment (no "/");
//	                                 # the hash of every Xano source is appended; deduplicated
//	  shutdown_grace: 10s            # >= 0
//	  demo: false
//	auth:
//	  invalid_token: reject          # reject | anonymous
//	  jwt:
//	    algorithms: [HS256]          # HS256/384/512, RS*, PS*, ES*, EdDSA; "none" is refused;
//	                                 # any non-HS algorithm needs public_key_file or jwks_url
//	    secret: ""                   # HS*; empty is allowed: then no HS token verifies
//	    public_key_file: ""          # must exist (resolved against baseDir)
//	    jwks_url: ""                 # http(s) URL
//	    issuer: ""                   # empty = not checked
//	    audience: ""                 # empty = not checked
//	    leeway: 30s                  # >= 0
//	    require_token_type: ""       # empty = not checked
//	    claims:                      # each omitted key keeps its default; none may be empty
//	      user_id: sub
//	      role: role
//	      channels: authorized_channels
//	      token_type: token_type
//	      presence: [name]
//	      xano_dbo_id: dbo_id
//	      xano_row_id: sub
//	api:
//	  keys: []                       # empty strings are dropped; none = server API disabled
//	limits:
//	  max_connections: 0             # >= 0; 0 = unlimited
//	  max_channels_per_socket: 100   # >= 0; 0 = unlimited
//	  max_frame_bytes: 1048576       # > 0
//	  socket_queue_bytes: 1048576    # > 0
//	  messages_per_second: 0         # >= 0; 0 = unlimited
//	engine:
//	  type: memory                   # memory | redis
//	  redis:
//	    url: "redis://127.0.0.1:6379/0"  # checked (redis://, rediss://, unix://) when type is redis
//	  history_path: ""               # resolved against baseDir; empty = memory only
//	  presence_window: 30ms          # >= 0
//	channels:                        # a list; each entry is a permission set or a source
//	  - pattern: "chatroom/*"        # required (permissions.CompilePattern grammar)
//	    description: ""
//	    active: true                 # default true
//	    permissions: []              # names or Xano aliases (permissions.ParsePerm)
//	    roles: {}                    # role -> permissions replacing `permissions` for that role
//	    history: 0                   # >= 0
//	    triggers:                    # run in order
//	      - {event: message, function: name}  # event: join | message | leave | *;
//	                                 # function: a key of `functions` (there are no built-ins);
//	                                 # a claim_match function needs its {segment} in the pattern
//	  - source: "xano-export.json"   # alone: a Xano Metadata API realtime export, resolved
//	                                 # against baseDir; its sets take this entry's place
//	functions:                       # name -> function; names match [A-Za-z_][A-Za-z0-9_-]*
//	  name:                          # keys that do not apply to the type are errors
//	    type: rate_limit             # limit > 0, per > 0, key: user (default) | client | channel
//	    type: claim_match            # segment and claim required
//	    type: content_filter         # deny (regexps), max_bytes >= 0, required_keys: at least one
//	    type: audit_log              # path (resolved against baseDir), max_size >= 0 (0 = no cap)
//	    type: webhook                # url http(s), timeout 2s (0 = default), on_error: deny
//	                                 # (default) | allow, secret (optional HMAC key)
//	webhooks:
//	  - url: ""                      # http(s) URL
//	    channels: []                 # at least one pattern; "*" matches every channel
//	    events: []                   # ⊆ message, join, leave, presence; omitted/empty = all four
//	    secret: ""                   # optional HMAC-SHA256 key
package config
