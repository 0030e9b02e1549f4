# Whipcount build. `make run` and `make test` work on a fresh clone.
GO      ?= go
VENDOR  := web/static/vendor

.PHONY: run test build install web generate vet lint bench bench-profile bench-scale microbench fmt check check-generated clean

# WHIPCOUNT_ADDR, WHIPCOUNT_DB and every other WHIPCOUNT_* variable set in
# the environment take effect; these two only get defaults.
run: build ## build, create ./whipcount.db with migrations, serve http://localhost:8080
	WHIPCOUNT_ADDR="$${WHIPCOUNT_ADDR:-localhost:8080}" WHIPCOUNT_DB="$${WHIPCOUNT_DB:-whipcount.db}" \
		./bin/whipcount serve -log-format text

test: web generate ## vet and race-enabled tests, browser tests included
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

build: web generate
	$(GO) build -trimpath -o bin/whipcount ./cmd/whipcount

install: web generate ## put the whipcount command in $(go env GOPATH)/bin
	$(GO) install -trimpath ./cmd/whipcount

# Front-end packages come from npm with a lockfile; only what the app serves
# is copied into the embedded static folder (gitignored).
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund

web: web/node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp web/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

generate:
	$(GO) tool templ generate

vet:
	$(GO) vet ./...

# staticcheck, pinned, fetched through the module proxy (not a dependency of the app).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	$(GO) run $(STATICCHECK) ./...

# The load benchmark: the real server against a hello-world ceiling, each
# scenario driven by vegeta; prints the table for the README. It is its own
# module, so vegeta stays out of the app's module graph.
bench: build
	cd internal/loadbench && $(GO) run . -bin ../../bin/whipcount

# The load benchmark with a CPU profile of the server per scenario, in
# bin/profiles (go tool pprof bin/whipcount-profile bin/profiles/NAME.pprof).
# The binary is built with the profiler, which a release build lacks.
bench-profile: web generate
	$(GO) build -trimpath -tags profile -o bin/whipcount-profile ./cmd/whipcount
	cd internal/loadbench && $(GO) run . -bin ../../bin/whipcount-profile -cpuprofile ../../bin/profiles $${ONLY:+-only "$$ONLY"}

# The scale benchmark: databases of 100,000, 1,000,000 and 10,000,000
# letters (SIZES=100k,1M to choose), each route cold and warm, with and
# without the public caches, letter intake, size per letter, memory and
# start-up. The 10M database takes about 66 GB in TMPDIR while it runs.
bench-scale: build
	cd internal/loadbench && $(GO) run . -bin ../../bin/whipcount -scale "$${SIZES:-100k,1M,10M}" $${SCALEFLAGS}

# Go micro-benchmarks (lookups, letter store, export).
microbench: web generate
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '_templ.go$$')

# CI: generated templ code and formatting must match what is committed.
check-generated: generate
	git diff --exit-code -- '*_templ.go'
	test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))"

# CI hygiene gates: nothing that go mod tidy, templ fmt or staticcheck would
# change or report, and generated code as committed.
check: check-generated lint
	$(GO) mod tidy -diff
	cd internal/loadbench && $(GO) mod tidy -diff
	$(GO) tool templ fmt -fail templates

clean:
	rm -rf bin $(VENDOR)
