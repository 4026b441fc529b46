# phxserver: build and the whole test suite. `make test` is THE test command.

GO        ?= go
NPM       ?= npm
NODE      ?= node
BIN       := bin/phxserver
FUZZTIME  ?= 10s

# One line per fuzz target: <package>:<FuzzName>.
FUZZ_TARGETS := \
	./protocol/:FuzzDecodeV2JSON \
	./protocol/:FuzzDecodeV1JSON \
	./protocol/:FuzzDecodeV2Binary \
	./protocol/xano/:FuzzDecode \
	./protocol/xano/:FuzzEncodeMessage \
	./channels/permissions/:FuzzPattern \
	./channels/permissions/:FuzzImportXano \
	./auth/:FuzzAuthenticate \
	./channels/transport/longpoll/:FuzzVerify \
	./presence/:FuzzHandleRemote \
	./channels/triggers/:FuzzContentFilter \
	./cmd/phxserver/config/:FuzzParse \
	./internal/jsonenc/:FuzzAppendString

.PHONY: all build run test vet gotest fuzz jstest clean FORCE

all: build

# FORCE: go's own cache decides what to rebuild; make only decides *when*.
build: $(BIN)
$(BIN): FORCE
	$(GO) build -o $(BIN) ./cmd/phxserver

# The server on the embedded default configuration (in-memory engine, demo page at
# http://127.0.0.1:4000/). npm ci brings the unmodified phoenix client the demo page serves.
run: build node_modules/.installed
	./$(BIN) --log-format console

test: vet gotest fuzz build jstest

vet:
	$(GO) vet ./...

gotest:
	$(GO) test -race -count=1 ./...

# A brief pass over every fuzz target (seed corpus plus FUZZTIME of new inputs each).
fuzz:
	./scripts/fuzz.sh $(FUZZTIME) $(FUZZ_TARGETS)

# npm ci only when node_modules is missing or older than the lock file.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

jstest: build node_modules/.installed
	PHXSERVER_BIN=$(CURDIR)/$(BIN) $(NODE) --test --test-concurrency=1 --test-timeout=60000 js-client-tests/

clean:
	rm -rf bin
